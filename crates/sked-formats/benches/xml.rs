//! Reading and writing speed of Task Scheduler 2.0 XML and GPP `ScheduledTasks.xml`, beside
//! the bare `quick_xml::Reader` event loop over the same bytes, so the cost of building the
//! model is visible as a ratio (target: sked's reading within 2x of the bare parser).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use sked_formats::{Document, Entry, ReadOptions, gpp, xml};

const EVERY_TRIGGER: &[u8] = include_bytes!("../testdata/xml/every-trigger.xml");
const GPPREF: &[u8] = include_bytes!("../testdata/gpp/gppref-example.xml");
const SAMADCON: &[u8] = include_bytes!("../testdata/gpp/samadcon-gpmc.xml");

/// A Windows-export-shaped task with 48 triggers (the documented maximum), every kind in
/// turn, written by sked in UTF-8 or UTF-16LE.
fn big_task(utf16: bool) -> Vec<u8> {
    let mut doc = xml::read(EVERY_TRIGGER, &ReadOptions::default()).expect("fixture reads");
    let entry = &mut doc.entries[0];
    let base = entry.task.triggers.clone();
    let base_extras = entry.extras.xml.as_ref().expect("extras").triggers.clone();
    let x = entry.extras.xml.as_mut().expect("extras");
    x.utf16 = utf16;
    x.triggers.clear();
    entry.task.triggers.clear();
    for i in 0..48 - x.other_triggers.len() {
        entry.task.triggers.push(base[i % base.len()].clone());
        x.triggers.push(base_extras[i % base.len()].clone());
    }
    for (i, k) in x.other_triggers.iter_mut().enumerate() {
        k.index = 45 + i;
    }
    xml::write(&doc).expect("writes")
}

/// A GPP file of 600 items: the GPPREF example's four kinds and the GPMC file's three, in
/// turn, each renamed.
fn big_gpp() -> Vec<u8> {
    let mut items: Vec<Entry> = Vec::new();
    for src in [GPPREF, SAMADCON] {
        items.extend(gpp::read(src, &ReadOptions::default()).expect("fixture reads").entries);
    }
    let mut doc = Document::default();
    for i in 0..600 {
        let mut e = items[i % items.len()].clone();
        e.task.name = format!("{} {i}", e.task.name);
        if let Some(g) = e.extras.gpp.as_mut() {
            g.item_name = None;
            g.uid = None;
        }
        doc.entries.push(e);
    }
    gpp::write(&doc).expect("writes")
}

fn bare_events(bytes: &[u8]) -> usize {
    let mut reader = Reader::from_reader(bytes);
    let mut n = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => {
                black_box(&e);
                n += 1;
            }
        }
    }
    n
}

fn bench(c: &mut Criterion) {
    let opts = ReadOptions::default();

    let task = big_task(false);
    let task16 = big_task(true);
    let task_doc = xml::read(&task, &opts).expect("reads");
    let mut g = c.benchmark_group("ts2-xml");
    g.sample_size(30);
    g.throughput(Throughput::Bytes(task.len() as u64));
    g.bench_function("quick-xml events (bare)", |b| b.iter(|| bare_events(black_box(&task))));
    g.bench_function("sked element tree only", |b| {
        let text = std::str::from_utf8(&task).expect("UTF-8");
        b.iter(|| xml::tree::Tree::parse(black_box(text)).expect("parses"))
    });
    g.bench_function("sked read", |b| b.iter(|| xml::read(black_box(&task), &opts).expect("reads")));
    g.bench_function("sked write", |b| b.iter(|| xml::write(black_box(&task_doc)).expect("writes")));
    g.throughput(Throughput::Bytes(task16.len() as u64));
    g.bench_function("sked read UTF-16", |b| b.iter(|| xml::read(black_box(&task16), &opts).expect("reads")));
    g.finish();

    let file = big_gpp();
    let gpp_doc = gpp::read(&file, &opts).expect("reads");
    let mut g = c.benchmark_group("gpp");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(file.len() as u64));
    g.bench_function("quick-xml events (bare)", |b| b.iter(|| bare_events(black_box(&file))));
    g.bench_function("sked element tree only", |b| {
        let text = std::str::from_utf8(&file).expect("UTF-8");
        b.iter(|| xml::tree::Tree::parse(black_box(text)).expect("parses"))
    });
    g.bench_function("sked read", |b| b.iter(|| gpp::read(black_box(&file), &opts).expect("reads")));
    g.bench_function("sked write", |b| b.iter(|| gpp::write(black_box(&gpp_doc)).expect("writes")));
    g.finish();
    eprintln!(
        "sizes: ts2-xml {} bytes (UTF-16 {}), gpp {} bytes, {} items",
        task.len(),
        task16.len(),
        file.len(),
        gpp_doc.entries.len()
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
