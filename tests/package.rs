//! The Debian package: `scripts/package` builds it with cargo-deb, `dpkg -x` unpacks it into a throwaway
//! root, and every file lands where the manual page's FILES section says, with a manual page per
//! subcommand, shell completions, and examples that enable nothing. Needs cargo-deb and dpkg (scripts/test
//! installs them).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The paths in the FILES section of `logveil man`.
fn man_files() -> Vec<String> {
    let out = run(&["man"]);
    let roff = String::from_utf8(out.stdout).unwrap();
    let files = roff
        .split(".SH FILES\n")
        .nth(1)
        .expect("the manual page has a FILES section");
    let section = files.split("\n.SH").next().unwrap();
    section
        .lines()
        .filter_map(|l| l.strip_prefix("\\fB")?.strip_suffix("\\fR"))
        .map(|p| p.replace("\\-", "-"))
        .collect()
}

/// The subcommands `logveil --help` lists.
fn subcommands() -> Vec<String> {
    let help = String::from_utf8(run(&["--help"]).stdout).unwrap();
    help.split("Commands:\n")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| !l.trim().is_empty())
        // A command's line starts two spaces in; a wrapped description is indented further.
        .filter(|l| l.starts_with("  ") && !l[2..].starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

fn build_and_unpack(dir: &Path) -> PathBuf {
    // scripts/package packages target/release/logveil: the binary these tests were built with.
    let bin = Path::new(env!("CARGO_BIN_EXE_logveil"));
    assert!(
        bin.ends_with("release/logveil"),
        "run this test with --release (scripts/package packages target/release/logveil)"
    );
    let out_dir = dir.join("deb");
    let built = Command::new(repo().join("scripts/package"))
        .args(["--no-build", "--fast", "--output"])
        .arg(&out_dir)
        .output()
        .expect("run scripts/package");
    assert!(
        built.status.success(),
        "scripts/package failed (is cargo-deb installed? scripts/test installs it):\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let deb = std::fs::read_dir(&out_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "deb"))
        .expect("a .deb");
    let root = dir.join("root");
    let unpacked = Command::new("dpkg")
        .arg("-x")
        .arg(&deb)
        .arg(&root)
        .status()
        .expect("run dpkg -x");
    assert!(unpacked.success());
    root
}

#[test]
fn the_deb_installs_what_the_manual_page_says_where_it_says() {
    let dir = tempfile::tempdir().unwrap();
    let root = build_and_unpack(dir.path());
    let inside = |p: &str| root.join(p.trim_start_matches('/'));

    let files = man_files();
    assert!(files.len() >= 5, "{files:?}");
    for path in &files {
        assert!(inside(path).is_file(), "{path} is not in the package");
    }

    // The packaged binary runs, and is stripped (no full debug info: far smaller than the build's).
    let packaged = inside("/usr/bin/logveil");
    let version = Command::new(&packaged).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("logveil "));
    let size = |p: &Path| std::fs::metadata(p).unwrap().len();
    assert!(size(&packaged) < size(Path::new(env!("CARGO_BIN_EXE_logveil"))));

    // One manual page per subcommand, each a gzip of the roff the binary prints.
    for sub in subcommands() {
        let page = inside(&format!("/usr/share/man/man1/logveil-{sub}.1.gz"));
        let gz = std::fs::read(&page).unwrap_or_else(|_| panic!("{} missing", page.display()));
        assert_eq!(&gz[..2], &[0x1f, 0x8b], "{}", page.display());
    }
    assert!(inside("/usr/share/man/man1/logveil.1.gz").is_file());
    for completion in [
        "/usr/share/bash-completion/completions/logveil",
        "/usr/share/zsh/vendor-completions/_logveil",
        "/usr/share/fish/vendor_completions.d/logveil.fish",
    ] {
        let text = std::fs::read_to_string(inside(completion)).unwrap();
        assert!(text.contains("anonymize"), "{completion}");
    }

    // Examples only: nothing under /etc or a systemd unit directory, so installing enables nothing.
    for enabled in ["etc", "lib/systemd", "usr/lib/systemd"] {
        assert!(!root.join(enabled).exists(), "{enabled} in the package");
    }
    // The example config is one logveil accepts as it is.
    let config = inside("/usr/share/doc/logveil/examples/logveil.toml");
    let line = "192.168.100.50 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a?q=cats&sid=7 HTTP/1.0\" 200 5 \"-\" \"curl/8\"\n";
    let out = run_with_stdin(
        &["anonymize", "--config", config.to_str().unwrap()],
        line.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty(), "quiet = true in the example");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "192.168.0.0 - - [10/Oct/2000:13:00:00 -0700] \"GET /a?q=cats&sid= HTTP/1.0\" 200 5 \"-\" \"curl/8\"\n"
    );
}

#[test]
fn the_examples_are_the_ones_operations_md_shows() {
    let ops = std::fs::read_to_string(repo().join("docs/OPERATIONS.md")).unwrap();
    for example in [
        "logveil-anonymize.service",
        "logveil-anonymize.timer",
        "cron.d-logveil",
        "logrotate-apache2",
    ] {
        let text = std::fs::read_to_string(repo().join("docs/examples").join(example)).unwrap();
        // Every non-comment line of the example appears in the guide, in the same order.
        let body: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .collect();
        let mut from = 0;
        for line in &body {
            let at = ops[from..]
                .find(line.trim())
                .unwrap_or_else(|| panic!("{example}: `{line}` not in docs/OPERATIONS.md"));
            from += at + line.trim().len();
        }
    }
}

/// The logrotate stanza docs/OPERATIONS.md shows (docs/examples/logrotate-apache2) passes `logrotate -d`
/// as the replacement of Debian's `/etc/logrotate.d/apache2`, while the same stanza added beside Debian's
/// is refused as a duplicate: why the guide edits Debian's file instead. Needs logrotate (scripts/test
/// installs it).
#[test]
fn the_logrotate_stanza_passes_logrotate_d_in_place_of_debians() {
    let dir = tempfile::tempdir().unwrap();
    let example = repo().join("docs/examples/logrotate-apache2");
    let debug = |config: &Path| {
        let out = Command::new("logrotate")
            .arg("-d")
            .arg("-s")
            .arg(dir.path().join("state"))
            .arg(config)
            .output()
            .expect("run logrotate (scripts/test installs it)");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned()
                + &String::from_utf8_lossy(&out.stdout),
        )
    };
    // The example in place of Debian's apache2 stanza.
    let replaced = dir.path().join("replaced.d");
    std::fs::create_dir(&replaced).unwrap();
    std::fs::copy(&example, replaced.join("apache2")).unwrap();
    let conf = dir.path().join("replaced.conf");
    std::fs::write(&conf, format!("include {}\n", replaced.display())).unwrap();
    let (ok, said) = debug(&conf);
    assert!(ok && !said.contains("error:"), "{said}");
    assert!(said.contains("/var/log/apache2/*.log"), "{said}");
    // Added beside Debian's own stanza: a duplicate, which logrotate refuses.
    let beside = dir.path().join("beside.d");
    std::fs::create_dir(&beside).unwrap();
    std::fs::copy(&example, beside.join("apache2")).unwrap();
    std::fs::copy(&example, beside.join("logveil")).unwrap();
    let conf = dir.path().join("beside.conf");
    std::fs::write(&conf, format!("include {}\n", beside.display())).unwrap();
    let (ok, said) = debug(&conf);
    assert!(!ok && said.contains("duplicate log entry"), "{said}");
}
