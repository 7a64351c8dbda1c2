//! Batch speed of `nianbao check`: the release binary on many report
//! files, one thread against two.
//!
//! ```sh
//! cargo bench --bench batch                      # 10,000 files, 5 rounds, --jobs 1 and 2
//! cargo bench --bench batch -- --files 2000 --rounds 3 --jobs 1,2,4
//! NIANBAO_BATCH_FILES=2000 cargo bench --bench batch
//! ```
//!
//! The files are copies of the real reports in tests/fixtures/seeds/*.txt and
//! tests/fixtures/variants/*, each made distinct (a number in a table cell changed
//! where there is one, and a last line naming the copy), 100 to a folder. Each
//! round runs `nianbao check --jobs N --format json DIR >/dev/null` once per
//! `N`, alternating, so that load from other work on the machine falls on every
//! `N` alike. The table gives wall time (median and best) and files per second,
//! and the speed-up of every `N` over the first.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Options {
    files: usize,
    rounds: usize,
    jobs: Vec<usize>,
    keep: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: cargo bench --bench batch -- [--files N] [--rounds R] [--jobs 1,2] [--keep]\n\
         (or NIANBAO_BATCH_FILES / NIANBAO_BATCH_ROUNDS / NIANBAO_BATCH_JOBS)"
    );
    std::process::exit(2)
}

fn number(v: Option<String>) -> usize {
    match v.as_deref().map(str::trim).map(str::parse::<usize>) {
        Some(Ok(n)) if n > 0 => n,
        _ => usage(),
    }
}

fn jobs_list(v: &str) -> Vec<usize> {
    v.split(',').map(|j| number(Some(j.to_string()))).collect()
}

fn options() -> Options {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut o = Options {
        files: env("NIANBAO_BATCH_FILES").map_or(10_000, |v| number(Some(v))),
        rounds: env("NIANBAO_BATCH_ROUNDS").map_or(5, |v| number(Some(v))),
        jobs: env("NIANBAO_BATCH_JOBS").map_or(vec![1, 2], |v| jobs_list(&v)),
        keep: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next());
        match name.as_str() {
            "--files" | "-n" => o.files = number(value()),
            "--rounds" | "-r" => o.rounds = number(value()),
            "--jobs" | "-j" => o.jobs = jobs_list(&value().unwrap_or_else(|| usage())),
            "--keep" => o.keep = true,
            // What cargo passes to every bench binary, and libtest-style filters.
            "--bench" | "--nocapture" | "--quiet" => {}
            "-h" | "--help" => usage(),
            s if !s.starts_with('-') => {}
            _ => usage(),
        }
    }
    o
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The release binary: the one cargo built for this bench, else target/release
/// (built first when missing).
fn binary() -> PathBuf {
    if let Some(p) = option_env!("CARGO_BIN_EXE_nianbao") {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    let p = repo().join("target/release/nianbao");
    if !p.exists() {
        let ok = Command::new(env!("CARGO"))
            .args(["build", "--release", "-p", "nianbao", "--bin", "nianbao"])
            .current_dir(repo())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "cargo build --release failed");
    }
    p
}

/// The real reports the copies are made from: (extension, text).
fn seeds() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["tests/fixtures/seeds", "tests/fixtures/variants"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
                ext == "txt" || ext == "md"
            })
            .collect();
        paths.sort();
        for p in paths {
            let ext = p.extension().unwrap().to_string_lossy().into_owned();
            out.push((ext, std::fs::read_to_string(&p).unwrap()));
        }
    }
    assert!(!out.is_empty(), "no seed reports found");
    out
}

/// Copy `n` of `text` made distinct: the first `| 0 |` cell becomes `| n |`
/// (a pipe table), and a last line names the copy.
fn distinct(text: &str, n: usize) -> String {
    let mut t = text.replacen("| 0 |", &format!("| {} |", n % 997), 1);
    if !t.ends_with('\n') {
        t.push('\n');
    }
    t.push_str(&format!("\n（本文件为第 {n} 份测试副本）\n"));
    t
}

fn generate(dir: &Path, files: usize) {
    let seeds = seeds();
    for i in 0..files {
        let (ext, text) = &seeds[i % seeds.len()];
        let folder = dir.join(format!("{:03}", i / 100));
        if i % 100 == 0 {
            std::fs::create_dir_all(&folder).unwrap();
        }
        std::fs::write(
            folder.join(format!("report_{i:05}.{ext}")),
            distinct(text, i),
        )
        .unwrap();
    }
}

/// CPU time (user + system) used by the children waited for so far, where it can be read.
fn children_cpu() -> Option<Duration> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: getrusage fills the struct it is given and nothing else.
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) } != 0 {
            return None;
        }
        let t = |v: libc::timeval| Duration::new(v.tv_sec as u64, v.tv_usec as u32 * 1000);
        Some(t(u.ru_utime) + t(u.ru_stime))
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    None
}

/// One run: (wall time, CPU time of the process). The output goes to /dev/null, as in the issue.
fn timed(bin: &Path, dir: &Path, jobs: usize) -> (Duration, Option<Duration>) {
    let cpu0 = children_cpu();
    let start = Instant::now();
    let status = Command::new(bin)
        .args(["check", "--jobs", &jobs.to_string(), "--format", "json"])
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run nianbao");
    let took = start.elapsed();
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "nianbao check --jobs {jobs} exited with {status}"
    );
    let cpu = children_cpu()
        .zip(cpu0)
        .map(|(after, before)| after - before);
    (took, cpu)
}

/// The output of one run, for checking that every `--jobs` writes the same bytes.
fn output(bin: &Path, dir: &Path, jobs: usize) -> Vec<u8> {
    Command::new(bin)
        .args(["check", "--jobs", &jobs.to_string(), "--format", "json"])
        .arg(dir)
        .stderr(Stdio::null())
        .output()
        .expect("run nianbao")
        .stdout
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_string())
}

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    }
}

fn main() {
    let o = options();
    let bin = binary();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = tempfile::Builder::new()
        .prefix("nianbao-batch-")
        .tempdir()
        .expect("temporary folder");
    let corpus = dir.path().join("reports");
    let t = Instant::now();
    generate(&corpus, o.files);
    let bytes: u64 = walk_size(&corpus);
    println!(
        "nianbao check batch benchmark\n  binary  {}\n  files   {} ({:.1} MB) in {}, generated in {:.1} s\n  cores   {cores} (available parallelism)\n  load    {} (1/5/15 min, before)",
        bin.display(),
        o.files,
        bytes as f64 / 1e6,
        corpus.display(),
        t.elapsed().as_secs_f64(),
        load()
    );

    // Warm-up (page cache, binary), and the outputs must not depend on --jobs.
    let first = output(&bin, &corpus, o.jobs[0]);
    for &j in &o.jobs[1..] {
        assert!(
            output(&bin, &corpus, j) == first,
            "--jobs {j} wrote other output than --jobs {}",
            o.jobs[0]
        );
    }
    println!(
        "  output  {:.1} MB of JSON, identical for --jobs {:?}\n",
        first.len() as f64 / 1e6,
        o.jobs
    );
    drop(first);

    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); o.jobs.len()];
    let mut cpus: Vec<Vec<Duration>> = vec![Vec::new(); o.jobs.len()];
    for round in 0..o.rounds {
        let mut line = format!("  round {}:", round + 1);
        // Alternate which N goes first, so neither always follows the other.
        let order: Vec<usize> = if round % 2 == 0 {
            (0..o.jobs.len()).collect()
        } else {
            (0..o.jobs.len()).rev().collect()
        };
        for k in order {
            let (d, cpu) = timed(&bin, &corpus, o.jobs[k]);
            times[k].push(d);
            cpus[k].extend(cpu);
            line.push_str(&format!("  -j{} {:.2} s", o.jobs[k], d.as_secs_f64()));
        }
        println!("{line}");
    }

    let files = o.files as f64;
    println!(
        "\n  {:>6} | {:>8} | {:>8} | {:>13} | {:>14} | {:>8} | {:>8} | {:>9}",
        "--jobs",
        "median s",
        "min s",
        "files/s (med)",
        "files/s (best)",
        "speed-up",
        "CPU s",
        "cores used"
    );
    println!("  {}", "-".repeat(98));
    let base = median(&times[0]).as_secs_f64();
    for (k, &j) in o.jobs.iter().enumerate() {
        let med = median(&times[k]).as_secs_f64();
        let min = times[k].iter().min().unwrap().as_secs_f64();
        // CPU time of the median run, and how many cores it kept busy on average.
        let (cpu, used) = if cpus[k].len() == times[k].len() {
            let c = median(&cpus[k]).as_secs_f64();
            (format!("{c:.2}"), format!("{:.2}", c / med))
        } else {
            ("-".to_string(), "-".to_string())
        };
        println!(
            "  {:>6} | {:>8.3} | {:>8.3} | {:>13.0} | {:>14.0} | {:>7.2}x | {:>8} | {:>10}",
            j,
            med,
            min,
            files / med,
            files / min,
            base / med,
            cpu,
            used
        );
    }
    if o.jobs.len() > 1 {
        let best = |k: usize| times[k].iter().min().unwrap().as_secs_f64();
        println!(
            "\n  speed-up --jobs {} / --jobs {}: {:.2}x (medians), {:.2}x (best runs)",
            o.jobs[1],
            o.jobs[0],
            base / median(&times[1]).as_secs_f64(),
            best(0) / best(1)
        );
        if cpus[0].len() == times[0].len() && cpus[1].len() == times[1].len() {
            let (c0, c1) = (
                median(&cpus[0]).as_secs_f64(),
                median(&cpus[1]).as_secs_f64(),
            );
            println!(
                "  CPU time --jobs {} / --jobs {}: {:.2} (1.00 = no parallel overhead); \
                 \"cores used\" below --jobs means the threads waited for a core (other load)",
                o.jobs[1],
                o.jobs[0],
                c1 / c0
            );
        }
    }
    println!("  load    {} (1/5/15 min, after)", load());
    let autogroup = std::fs::read_to_string("/proc/sys/kernel/sched_autogroup_enabled")
        .is_ok_and(|v| v.trim() == "1");
    if autogroup {
        println!(
            "  note    the kernel groups threads by session (sched_autogroup): while other sessions\n\
             \x20         keep the cores busy, this session's share is the same for 1 thread or 2, so\n\
             \x20         `cores used` stays near that share and the speed-up near 1. For a measure of\n\
             \x20         the code rather than of the load, run when the machine is idle, or give this\n\
             \x20         session a larger share: setsid sh -c 'echo -10 > /proc/$$/autogroup; exec ...'"
        );
    }
    if o.keep {
        let kept = dir.keep();
        println!("  kept    {}", kept.display());
    }
}

fn walk_size(dir: &Path) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let m = e.metadata().unwrap();
        total += if m.is_dir() {
            walk_size(&e.path())
        } else {
            m.len()
        };
    }
    total
}
