use super::*;

#[test]
fn smoke() {
    let now = jiff::civil::date(2026, 3, 2).at(10, 0, 0, 0);
    for line in [
        r#"schtasks /create /tn "\My Folder\Sec" /tr \\central\data\scripts\sec.vbs /sc minute /mo 20"#,
        r#"schtasks /create /tn x /tr "a b" /sc minute /mo 100 /st 17:00 /et 08:00 /k"#,
        r#"schtasks /create /tn x /tr "a b" /sc monthly /mo SECOND /d SUN /f /ru """#,
    ] {
        let doc = read_at(line.as_bytes(), &ReadOptions::default(), Some(now));
        match doc {
            Ok(d) => {
                eprintln!("{:#?}", d.entries[0]);
                eprintln!("{}", String::from_utf8(write(&d).unwrap()).unwrap());
            }
            Err(e) => eprintln!("{e}"),
        }
    }
}
