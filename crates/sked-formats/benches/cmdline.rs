//! Read and write throughput of the command-line formats (schtasks lines, JT.EXE streams)
//! on a large generated input.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sked_formats::{ReadOptions, jt, schtasks};

/// About 2 MB of `schtasks /Create` lines, one of each schedule type in turn.
fn schtasks_input() -> String {
    let shapes = [
        "/SC MINUTE /MO 20 /ST 17:00 /ET 08:00 /K /SD 03/02/2026",
        "/SC HOURLY /MO 3 /ST 00:00 /DU 0010:00 /SD 03/02/2026",
        "/SC DAILY /MO 2 /ST 08:00 /SD 03/02/2026 /ED 12/31/2027 /IT",
        "/SC WEEKLY /MO 2 /D MON,WED,FRI /ST 06:00 /SD 03/02/2026 /RI 60 /DU 0010:00 /K",
        "/SC MONTHLY /MO 2 /D 21 /M JAN,MAR,MAY /ST 00:00 /SD 2026/03/02 /RU SYSTEM",
        "/SC MONTHLY /MO SECOND /D SUN /ST 10:00 /SD 03/02/2026",
        "/SC MONTHLY /MO LASTDAY /M * /ST 23:30 /SD 03/02/2026 /Z /F",
        "/SC ONCE /ST 12:00 /SD 01/01/2027",
        "/SC ONSTART /DELAY 0001:30",
        "/SC ONIDLE /I 10",
    ];
    let mut out = String::new();
    let mut i = 0;
    while out.len() < 2_000_000 {
        let shape = shapes[i % shapes.len()];
        out.push_str(&format!(
            "schtasks /Create /TN \"\\Bench\\Task {i}\" /TR \"\\\"C:\\Program Files\\App\\app.exe\\\" --job {i} --verbose\" {shape}\n"
        ));
        i += 1;
    }
    out
}

/// About 2 MB of JT.EXE command streams, three triggers a job.
fn jt_input() -> String {
    let mut out = String::new();
    let mut i = 0;
    while out.len() < 2_000_000 {
        out.push_str(&format!(
            "/SNJ job{i}\n/SC \"\" NULL\n\
             /SJ ApplicationName=\"C:\\Program Files\\App\\app.exe\" Parameters=\"--job {i} --verbose\" WorkingDirectory=\"C:\\Work\" Comment=\"Job number {i}\" MaxRunTime=3600000 KillIfGoingOnBatteries=1 SystemRequired=1\n\
             /CTJ Type=WEEKLY TypeArguments=1,.M.W.F. StartDate=03/02/2026 StartTime=06:00 MinutesDuration=600 MinutesInterval=60 KillAtDuration=1\n\
             /CTJ Type=MONTHLYDATE TypeArguments=1,15,JFMAMJJASOND StartDate=03/02/2026 StartTime=00:30 EndDate=12/31/2027 HasEndDate=1\n\
             /CTJ Type=ATSTARTUP\n\
             /SAJ job{i}.job\n"
        ));
        i += 1;
    }
    out
}

fn bench(c: &mut Criterion) {
    let opts = ReadOptions::default();

    let text = schtasks_input();
    let doc = schtasks::read(text.as_bytes(), &opts).expect("the schtasks input reads");
    let written = schtasks::write(&doc).expect("the schtasks input writes");
    let mut g = c.benchmark_group("schtasks");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("read", |b| b.iter(|| schtasks::read(black_box(text.as_bytes()), &opts)));
    g.throughput(Throughput::Bytes(written.len() as u64));
    g.bench_function("write", |b| b.iter(|| schtasks::write(black_box(&doc))));
    g.finish();

    let text = jt_input();
    let doc = jt::read(text.as_bytes(), &opts).expect("the JT input reads");
    let written = jt::write(&doc).expect("the JT input writes");
    let mut g = c.benchmark_group("jt");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("read", |b| b.iter(|| jt::read(black_box(text.as_bytes()), &opts)));
    g.throughput(Throughput::Bytes(written.len() as u64));
    g.bench_function("write", |b| b.iter(|| jt::write(black_box(&doc))));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
