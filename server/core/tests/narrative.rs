//! The figures the prose of the seeds states, and which disagree with the tables.

use nianbao_core::narrative;
use std::path::PathBuf;

fn seeds() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/seeds");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    v.sort();
    v
}

fn listing() -> String {
    let mut s = String::new();
    for p in seeds() {
        let src = std::fs::read_to_string(&p).unwrap();
        let report = nianbao_core::parse::parse(&src, None);
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        for c in narrative::claims(&src, &report) {
            let table = narrative::table_cells(&report, c.quantity)
                .map(|cells| cells.iter().map(|c| c.value).sum::<i64>().to_string())
                .unwrap_or_else(|| "?".into());
            s.push_str(&format!(
                "{} {:?} {} «{}» table {}\n",
                &name[..3],
                c.quantity,
                c.value,
                &src[c.range.start..c.range.end],
                table
            ));
        }
    }
    s
}

/// Every figure the seeds' prose states, with the table's value ("?" when the
/// table cannot be read). Reviewed by hand: only seed 002's two figures on
/// 规范性文件 disagree, and the table there shows 0 / 0.
#[test]
fn seed_claims() {
    let want = "\
000 Received 0 «未收到» table 0
002 Received 0 «尚未接获» table 0
002 NormRepealed 2 «2» table 0
002 NormInForce 1 «1» table 0
008 Received 3119 «3119» table 3119
008 Completed 3050 «3050» table 3050
008 CarriedIn 34 «34» table 34
008 CarriedOut 103 «103» table 103
008 Review 351 «351» table 351
008 Litigation 46 «46» table 46
009 Received 21 «21» table 21
010 Received 17 «17» table ?
";
    assert_eq!(listing(), want);
}
