//! A report's findings, held in memory while they are few and spilled to disk when they
//! are many, so an organization's findings cost disk rather than memory.
//!
//! Findings are filed with [`Collector::push`]. Past a bound, the collector sorts what it
//! holds and writes it as one run of JSON lines to an unnamed temporary file (gone when
//! the last handle closes, whatever way the process ends). [`Findings`] reads the runs
//! back merged, in the report's order, one finding per run in memory at a time. Every
//! reader iterates; none indexes, so a renderer costs the same with 10 accounts or 1,000.
//!
//! A run that cannot be written (no writable temporary directory, a full disk) is kept in
//! memory instead, with a warning: the report is the same, only its memory is not bounded.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use schemars::JsonSchema;
use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::check::{Severity, Status};

/// One verdict: a check on one resource (or on the account, in a region), with the
/// evidence behind it and what to do.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    pub check_id: String,
    pub title: String,
    pub sections: Vec<String>,
    pub severity: Severity,
    pub status: Status,
    pub account: String,
    pub region: String,
    pub resource: String,
    pub message: String,
    pub evidence: Value,
    pub remediation: String,
}

/// Findings held in memory before a run is spilled: about 3 KB each, so some 3 MB. Two
/// collectors are at work as a report is made (the findings filed, then the same
/// findings waived), and each run read back costs a buffer: 1,000 accounts of the
/// benchmark make some 150 runs.
pub const SPILL_AFTER: usize = 1024;

/// The bound in force: `TOMSCAN_SPILL_AFTER` when set (0 spills every finding at once,
/// which tests use to read everything back from disk), else [`SPILL_AFTER`].
pub fn spill_after() -> usize {
    static BOUND: OnceLock<usize> = OnceLock::new();
    *BOUND.get_or_init(|| {
        let Ok(text) = std::env::var("TOMSCAN_SPILL_AFTER") else {
            return SPILL_AFTER;
        };
        text.trim().parse().unwrap_or_else(|_| {
            tracing::warn!(value = %text, default = SPILL_AFTER, "TOMSCAN_SPILL_AFTER is not a count of findings; using the default");
            SPILL_AFTER
        })
    })
}

/// The report's order: by check, then account, region, resource and status, so a check's
/// findings read together and two runs of the same scan list them alike.
pub fn order(a: &Finding, b: &Finding) -> Ordering {
    (&a.check_id, &a.account, &a.region, &a.resource, a.status).cmp(&(
        &b.check_id,
        &b.account,
        &b.region,
        &b.resource,
        b.status,
    ))
}

/// The findings of a report, in the report's order.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    spill: Option<Arc<Spill>>,
    /// What was never spilled, sorted: the only part when the findings are few.
    memory: Vec<Finding>,
}

#[derive(Debug)]
struct Spill {
    file: File,
    runs: Vec<Run>,
}

/// One sorted run: a byte range of JSON lines in the spill file.
#[derive(Debug, Clone, Copy)]
struct Run {
    start: u64,
    end: u64,
    len: usize,
}

impl Findings {
    pub fn len(&self) -> usize {
        let spilled: usize = self.runs().iter().map(|r| r.len).sum();
        spilled + self.memory.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether any finding is on disk rather than in memory.
    pub fn is_spilled(&self) -> bool {
        self.spill.is_some()
    }

    fn runs(&self) -> &[Run] {
        self.spill.as_deref().map_or(&[], |s| &s.runs)
    }

    /// The findings in order: borrowed from memory, read back from the spill.
    ///
    /// Reading the spill back panics if the temporary file this process wrote and still
    /// holds open fails to read: that is the disk failing under us, as an allocation
    /// failing is memory failing, not a condition a renderer could handle.
    pub fn iter(&self) -> Iter<'_> {
        let Some(spill) = self.spill.as_deref() else {
            return Iter(Inner::Memory(self.memory.iter()));
        };
        let mut sources: Vec<Source<'_>> = spill
            .runs
            .iter()
            .map(|run| Source::Run(RunReader::new(&spill.file, *run).lines()))
            .collect();
        sources.push(Source::Memory(self.memory.iter()));
        Iter(Inner::Merged(Merge::new(sources)))
    }

    /// Hands each finding over, in order; those never spilled are moved, not copied.
    pub fn consume(self, mut each: impl FnMut(Finding)) {
        if self.spill.is_none() {
            self.memory.into_iter().for_each(each);
        } else {
            for f in &self {
                each(f.into_owned());
            }
        }
    }

    /// A copy of every finding, read back if spilled: for tests and small reports.
    pub fn to_vec(&self) -> Vec<Finding> {
        self.iter().map(Cow::into_owned).collect()
    }

    /// The findings as a vector to change in place, reading the spill back into memory
    /// first: for tests and small reports, never for an organization's.
    pub fn to_mut(&mut self) -> &mut Vec<Finding> {
        if self.spill.is_some() {
            self.memory = self.to_vec();
            self.spill = None;
        }
        &mut self.memory
    }
}

impl<'a> IntoIterator for &'a Findings {
    type Item = Cow<'a, Finding>;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl Serialize for Findings {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// A report read back files its findings as they are parsed, so a large report costs
/// what it would cost being made, and they come back in the report's order.
impl<'de> Deserialize<'de> for Findings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Findings, D::Error> {
        struct Filed;
        impl<'de> Visitor<'de> for Filed {
            type Value = Findings;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of findings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Findings, A::Error> {
                let mut filed = Collector::new(spill_after());
                while let Some(f) = seq.next_element()? {
                    filed.push(f);
                }
                Ok(filed.finish())
            }
        }
        deserializer.deserialize_seq(Filed)
    }
}

/// Findings being filed: in memory up to the bound, then in sorted runs on disk.
pub struct Collector {
    bound: usize,
    memory: Vec<Finding>,
    spill: Option<Writer>,
    /// Where the spill file goes: the temporary directory (`TMPDIR`) when `None`.
    dir: Option<PathBuf>,
}

struct Writer {
    out: BufWriter<File>,
    written: u64,
    runs: Vec<Run>,
}

impl Collector {
    /// A collector that spills past `bound` findings held.
    pub fn new(bound: usize) -> Collector {
        Collector {
            bound,
            memory: Vec::new(),
            spill: None,
            dir: None,
        }
    }

    /// A collector that spills into `dir` rather than the temporary directory.
    pub fn in_dir(bound: usize, dir: &Path) -> Collector {
        Collector {
            dir: Some(dir.to_path_buf()),
            ..Collector::new(bound)
        }
    }

    pub fn push(&mut self, finding: Finding) {
        self.memory.push(finding);
        if self.memory.len() > self.bound {
            self.spill_run();
        }
    }

    /// The findings filed, in the report's order.
    pub fn finish(mut self) -> Findings {
        self.memory.sort_by(order);
        let Some(writer) = self.spill else {
            return Findings {
                spill: None,
                memory: self.memory,
            };
        };
        // Every recorded run was flushed whole; what is left in the buffer is a run that
        // failed and stayed in memory, so it is dropped, not written.
        let (file, _unwritten) = writer.out.into_parts();
        let spilled: usize = writer.runs.iter().map(|r| r.len).sum();
        tracing::info!(
            findings = spilled,
            runs = writer.runs.len(),
            bytes = writer.written,
            "findings spilled to the temporary directory"
        );
        Findings {
            spill: Some(Arc::new(Spill {
                file,
                runs: writer.runs,
            })),
            memory: self.memory,
        }
    }

    fn spill_run(&mut self) {
        self.memory.sort_by(order);
        if self.spill.is_none() {
            let file = match &self.dir {
                Some(dir) => tempfile::tempfile_in(dir),
                None => tempfile::tempfile(),
            };
            match file {
                Ok(file) => {
                    self.spill = Some(Writer {
                        out: BufWriter::with_capacity(1 << 16, file),
                        written: 0,
                        runs: Vec::new(),
                    })
                }
                Err(e) => return self.keep_in_memory(&e),
            }
        }
        let writer = self.spill.as_mut().expect("opened above");
        match write_run(&mut writer.out, &self.memory) {
            Ok(bytes) => {
                writer.runs.push(Run {
                    start: writer.written,
                    end: writer.written + bytes,
                    len: self.memory.len(),
                });
                writer.written += bytes;
                self.memory.clear();
            }
            Err(e) => self.keep_in_memory(&e),
        }
    }

    /// After a failed spill: the findings stay in memory, and no more spills are tried.
    /// Runs already written stay valid, since a run is recorded only once whole.
    fn keep_in_memory(&mut self, e: &io::Error) {
        tracing::warn!(
            error = %e,
            "cannot spill findings to the temporary directory (TMPDIR); keeping them in memory"
        );
        self.bound = usize::MAX;
    }
}

/// Writes the findings as JSON lines, returning the bytes written.
fn write_run(out: &mut BufWriter<File>, findings: &[Finding]) -> io::Result<u64> {
    let mut counted = Counted { out, bytes: 0 };
    for f in findings {
        serde_json::to_writer(&mut counted, f)?;
        counted.write_all(b"\n")?;
    }
    // A run is recorded only once its bytes are in the file: a later failure to flush
    // another run then cannot truncate this one.
    counted.flush()?;
    Ok(counted.bytes)
}

struct Counted<'a> {
    out: &'a mut BufWriter<File>,
    bytes: u64,
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A run's byte range read with positioned reads, so every run reads the one file
/// handle at its own offset.
struct RunReader<'a> {
    file: &'a File,
    at: u64,
    end: u64,
}

impl<'a> RunReader<'a> {
    fn new(file: &'a File, run: Run) -> RunReader<'a> {
        RunReader {
            file,
            at: run.start,
            end: run.end,
        }
    }

    fn lines(self) -> Lines<'a> {
        Lines {
            reader: BufReader::with_capacity(1 << 13, self),
            line: Vec::new(),
        }
    }
}

impl Read for RunReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = usize::try_from(self.end - self.at).unwrap_or(usize::MAX);
        let want = buf.len().min(left);
        if want == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..want], self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

struct Lines<'a> {
    reader: BufReader<RunReader<'a>>,
    line: Vec<u8>,
}

impl Iterator for Lines<'_> {
    type Item = Finding;
    fn next(&mut self) -> Option<Finding> {
        self.line.clear();
        let n = self
            .reader
            .read_until(b'\n', &mut self.line)
            .expect("reading back the findings spilled to a temporary file");
        (n > 0).then(|| {
            serde_json::from_slice(&self.line)
                .expect("a finding spilled by this process reads back as one")
        })
    }
}

enum Source<'a> {
    Run(Lines<'a>),
    Memory(std::slice::Iter<'a, Finding>),
}

impl<'a> Iterator for Source<'a> {
    type Item = Cow<'a, Finding>;
    fn next(&mut self) -> Option<Cow<'a, Finding>> {
        match self {
            Source::Run(lines) => lines.next().map(Cow::Owned),
            Source::Memory(iter) => iter.next().map(Cow::Borrowed),
        }
    }
}

/// Sequences of findings, each in the report's order, merged into one in that order;
/// each finding comes with the index of its sequence. Equal findings come in the order
/// of their sequences.
pub struct Merge<'a, I> {
    sources: Vec<I>,
    heap: BinaryHeap<Head<'a>>,
}

impl<'a, I: Iterator<Item = Cow<'a, Finding>>> Merge<'a, I> {
    pub fn new(mut sources: Vec<I>) -> Merge<'a, I> {
        let mut heap = BinaryHeap::with_capacity(sources.len());
        for (source, s) in sources.iter_mut().enumerate() {
            if let Some(finding) = s.next() {
                heap.push(Head { finding, source });
            }
        }
        Merge { sources, heap }
    }
}

impl<'a, I: Iterator<Item = Cow<'a, Finding>>> Iterator for Merge<'a, I> {
    type Item = (usize, Cow<'a, Finding>);
    fn next(&mut self) -> Option<(usize, Cow<'a, Finding>)> {
        let Head { finding, source } = self.heap.pop()?;
        if let Some(next) = self.sources[source].next() {
            self.heap.push(Head {
                finding: next,
                source,
            });
        }
        Some((source, finding))
    }
}

/// The next finding of one source; the heap's top is the least of them.
struct Head<'a> {
    finding: Cow<'a, Finding>,
    source: usize,
}

impl Ord for Head<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed, for a min-heap; ties by source, so equal findings keep filing order.
        order(&other.finding, &self.finding).then(other.source.cmp(&self.source))
    }
}

impl PartialOrd for Head<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Head<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head<'_> {}

/// The findings of a report in order; see [`Findings::iter`].
pub struct Iter<'a>(Inner<'a>);

enum Inner<'a> {
    Memory(std::slice::Iter<'a, Finding>),
    Merged(Merge<'a, Source<'a>>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = Cow<'a, Finding>;
    fn next(&mut self) -> Option<Cow<'a, Finding>> {
        match &mut self.0 {
            Inner::Memory(iter) => iter.next().map(Cow::Borrowed),
            Inner::Merged(merge) => merge.next().map(|(_, f)| f),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn finding(check: u8, account: u8, resource: u8, status: usize, note: u16) -> Finding {
        Finding {
            check_id: format!("C-{check:02}"),
            title: "a check".into(),
            sections: vec![format!("{}.1", check % 3 + 1)],
            severity: Severity::High,
            status: Status::ALL[status % Status::ALL.len()],
            account: format!("{account:012}"),
            region: "eu-west-1".into(),
            resource: format!("r-{resource}"),
            // Unique per finding, so equal sort keys still show their order.
            message: format!("note {note}"),
            evidence: serde_json::json!({ "note": note, "line": "a\nb" }),
            remediation: "fix it".into(),
        }
    }

    fn findings() -> impl Strategy<Value = Vec<Finding>> {
        prop::collection::vec((0u8..4, 0u8..3, 0u8..3, 0usize..7), 0..60).prop_map(|keys| {
            keys.into_iter()
                .enumerate()
                .map(|(i, (c, a, r, s))| finding(c, a, r, s, i as u16))
                .collect()
        })
    }

    fn collected(all: &[Finding], bound: usize) -> Findings {
        let mut c = Collector::new(bound);
        for f in all {
            c.push(f.clone());
        }
        c.finish()
    }

    proptest! {
        /// Spilled at any bound, the findings read back as the stable sort of what was
        /// filed, and serialise as that vector does.
        #[test]
        fn a_spill_reads_back_as_the_sorted_findings(all in findings(), bound in 0usize..9) {
            let mut sorted = all.clone();
            sorted.sort_by(order);
            let found = collected(&all, bound);
            prop_assert_eq!(found.is_spilled(), all.len() > bound);
            prop_assert_eq!(found.len(), all.len());
            let back: Vec<Finding> = found.iter().map(Cow::into_owned).collect();
            prop_assert_eq!(
                serde_json::to_string(&back).unwrap(),
                serde_json::to_string(&sorted).unwrap()
            );
            prop_assert_eq!(
                serde_json::to_string(&found).unwrap(),
                serde_json::to_string(&sorted).unwrap()
            );
            let mut owned = Vec::new();
            found.clone().consume(|f| owned.push(f));
            prop_assert_eq!(owned.len(), sorted.len());
        }
    }

    #[test]
    fn findings_that_cannot_be_spilled_stay_in_memory_and_whole() {
        let all: Vec<Finding> = (0..20).map(|i| finding(i % 5, 0, i, 0, i.into())).collect();
        let mut c = Collector::in_dir(3, Path::new("/nonexistent/tomscan-spill"));
        for f in &all {
            c.push(f.clone());
        }
        let found = c.finish();
        assert!(!found.is_spilled());
        let mut sorted = all;
        sorted.sort_by(order);
        assert_eq!(
            serde_json::to_string(&found).unwrap(),
            serde_json::to_string(&sorted).unwrap()
        );
    }

    #[test]
    fn a_spilled_vector_changed_in_place_is_read_back_first() {
        let all: Vec<Finding> = (0..10).map(|i| finding(9 - i, 0, i, 1, i.into())).collect();
        let mut found = collected(&all, 2);
        assert!(found.is_spilled());
        found.to_mut()[0].message = "changed".into();
        assert!(!found.is_spilled());
        assert_eq!(found.iter().next().unwrap().message, "changed");
        assert_eq!(found.iter().next().unwrap().check_id, "C-00");
        assert_eq!(found.len(), 10);
    }
}
