//! Windows command lines: one string of parameters split into arguments and joined back,
//! by the rules of `CommandLineToArgvW` and the Microsoft C runtime.
//!
//! Every Windows format stores a task's parameters as one string (`.job` Parameters, GPP
//! `args`, XML `Arguments`, the tail of schtasks `/TR`); sked's model holds a list, so the
//! program is started without a shell. A string that `join(split(s))` does not reproduce
//! byte for byte is kept by the format's extras so the file still writes back unchanged.

/// Splits Windows parameters into arguments.
///
/// Outside quotes, spaces and tabs separate arguments. `2n` backslashes before a `"` give
/// `n` backslashes and the quote toggles quoting; `2n+1` give `n` and a literal `"`; other
/// backslashes are literal. Inside quotes, `""` is a literal quote.
pub fn split(s: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut in_arg = false;
    let mut quoted = false;
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let run = chars[i..].iter().take_while(|&&c| c == '\\').count();
                in_arg = true;
                if chars.get(i + run) == Some(&'"') {
                    cur.extend(std::iter::repeat_n('\\', run / 2));
                    if run % 2 == 1 {
                        cur.push('"');
                        i += run + 1;
                    } else {
                        i += run;
                    }
                } else {
                    cur.extend(std::iter::repeat_n('\\', run));
                    i += run;
                }
                continue;
            }
            '"' => {
                in_arg = true;
                if quoted && chars.get(i + 1) == Some(&'"') {
                    cur.push('"');
                    i += 2;
                    continue;
                }
                quoted = !quoted;
            }
            ' ' | '\t' if !quoted => {
                if in_arg {
                    args.push(std::mem::take(&mut cur));
                    in_arg = false;
                }
            }
            _ => {
                in_arg = true;
                cur.push(c);
            }
        }
        i += 1;
    }
    if in_arg {
        args.push(cur);
    }
    args
}

/// Quotes one argument so that [`split`] gives it back.
pub fn quote(arg: &str) -> String {
    if !arg.is_empty() && !arg.contains([' ', '\t', '\n', '\u{b}', '"']) {
        return arg.to_string();
    }
    let mut out = String::from("\"");
    let mut backslashes = 0;
    for c in arg.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                out.extend(std::iter::repeat_n('\\', backslashes * 2 + 1));
                out.push('"');
                backslashes = 0;
            }
            _ => {
                out.extend(std::iter::repeat_n('\\', backslashes));
                out.push(c);
                backslashes = 0;
            }
        }
    }
    out.extend(std::iter::repeat_n('\\', backslashes * 2));
    out.push('"');
    out
}

/// Joins arguments into one Windows parameter string that [`split`] gives back.
pub fn join<S: AsRef<str>>(args: &[S]) -> String {
    args.iter().map(|a| quote(a.as_ref())).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn microsoft_examples() {
        // The examples of "Parsing C++ command-line arguments".
        assert_eq!(split(r#""abc" d e"#), ["abc", "d", "e"]);
        assert_eq!(split(r#"a\\b d"e f"g h"#), [r"a\\b", "de fg", "h"]);
        assert_eq!(split(r#"a\\\"b c d"#), [r#"a\"b"#, "c", "d"]);
        assert_eq!(split(r#"a\\\\"b c" d e"#), [r"a\\b c", "d", "e"]);
        assert_eq!(split(r#"a"b"" c d"#), [r#"ab" c d"#]);
        assert_eq!(split("/ua /installsource scheduler"), ["/ua", "/installsource", "scheduler"]);
        assert_eq!(split(r#""" x"#), ["", "x"]);
        assert_eq!(split("  "), Vec::<String>::new());
    }

    #[test]
    fn join_quotes_what_it_must() {
        assert_eq!(
            join(&["/C", "echo hi", "", r#"say "x""#, r"C:\dir\"]),
            r#"/C "echo hi" "" "say \"x\"" C:\dir\"#
        );
        assert_eq!(quote(r"C:\Program Files\"), r#""C:\Program Files\\""#);
    }

    proptest! {
        #[test]
        fn split_inverts_join(args in proptest::collection::vec("[ a-z\\\\\"\t]{0,6}", 0..5)) {
            prop_assert_eq!(split(&join(&args)), args);
        }

        #[test]
        fn split_never_panics(s in "\\PC{0,40}") {
            let _ = split(&s);
        }
    }
}
