//! `logveil anonymize --in-place`: rotated logs rewritten where they are, atomically, keeping mode, owner and
//! compression; a run killed half-way leaves the original and nothing else.

mod common;

use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use rustix::process::Signal;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// The file names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `logveil anonymize -q FILE` on stdout: what the in-place rewrite must hold.
fn expected(input: &Path) -> Vec<u8> {
    let out = run(&["anonymize", "-q", input.to_str().unwrap()]);
    assert!(out.status.success());
    out.stdout
}

#[test]
fn plain_gzip_and_zstd_files_are_rewritten_in_their_own_format() {
    let dir = tempfile::tempdir().unwrap();
    let raw = std::fs::read(sample("apache-combined-elastic.log")).unwrap();
    let plain = dir.path().join("access.log.1");
    let gz = dir.path().join("access.log.2.gz");
    let zst = dir.path().join("access.log.3.zst");
    std::fs::write(&plain, &raw).unwrap();
    std::fs::write(&gz, gzip(&raw)).unwrap();
    std::fs::write(&zst, zstd::encode_all(&raw[..], 3).unwrap()).unwrap();
    let want = expected(&plain);
    assert_ne!(want, raw);
    // Owner and group as logrotate leaves them (root:adm style); without root the process's own.
    let root = rustix::process::geteuid().is_root();
    let (uid, gid) = if root {
        (4321, 4322)
    } else {
        let m = std::fs::metadata(&plain).unwrap();
        (m.uid(), m.gid())
    };
    for f in [&plain, &gz, &zst] {
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o640)).unwrap();
        std::os::unix::fs::chown(f, Some(uid), Some(gid)).unwrap();
    }
    let args = [
        "anonymize",
        "--in-place",
        plain.to_str().unwrap(),
        gz.to_str().unwrap(),
        zst.to_str().unwrap(),
    ];
    let out = run(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = count_lines(&raw);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!("logveil: anonymize: {} lines: ", 3 * lines)),
        "{stderr}"
    );

    assert_eq!(std::fs::read(&plain).unwrap(), want);
    let gz_bytes = std::fs::read(&gz).unwrap();
    assert!(gz_bytes.starts_with(&[0x1f, 0x8b]), "still gzip");
    assert_eq!(gunzip(&gz_bytes), want);
    let zst_bytes = std::fs::read(&zst).unwrap();
    assert!(
        zst_bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]),
        "still zstd"
    );
    assert_eq!(zstd::decode_all(&zst_bytes[..]).unwrap(), want);
    for f in [&plain, &gz, &zst] {
        let m = std::fs::metadata(f).unwrap();
        assert_eq!(m.permissions().mode() & 0o7777, 0o640, "{}", f.display());
        assert_eq!((m.uid(), m.gid()), (uid, gid), "{}", f.display());
    }
    assert_eq!(
        listing(dir.path()),
        ["access.log.1", "access.log.2.gz", "access.log.3.zst"]
    );
    assert!(full_ipv4s(&want).is_empty() && emails(&want).is_empty());
    // Running again changes nothing: anonymised output is its own anonymisation.
    assert!(run(&args).status.success());
    assert_eq!(std::fs::read(&plain).unwrap(), want);
}

#[test]
fn a_symlink_is_followed_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.log");
    std::fs::copy(sample("nginx-combined-beats.log"), &real).unwrap();
    let want = expected(&real);
    let link = dir.path().join("link.log");
    std::os::unix::fs::symlink("real.log", &link).unwrap();
    assert!(
        run(&["anonymize", "-q", "--in-place", link.to_str().unwrap()])
            .status
            .success()
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&real).unwrap(), want);
}

#[test]
fn usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.log");
    std::fs::write(&f, "x\n").unwrap();
    let f = f.to_str().unwrap();
    for args in [
        vec!["anonymize", "--in-place"],
        vec!["anonymize", "--in-place", "-"],
        vec!["anonymize", "--in-place", f, "-o", "out.log"],
        vec!["anonymize", "--in-place", f, "--append"],
    ] {
        let out = run_with_stdin(&args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("in-place") || stderr.contains("in_place"),
            "{stderr}"
        );
    }
    assert_eq!(std::fs::read(f).unwrap(), b"x\n");
}

#[test]
fn a_failure_leaves_the_file_and_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("access.log.1");
    let raw = b"1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5\nnot a log line 10.1.2.3\n";
    std::fs::write(&f, raw).unwrap();
    let out = run(&["anonymize", "--strict", "--in-place", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(65));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("access.log.1:2:"), "{stderr}");
    assert!(full_ipv4s(stderr.as_bytes()).is_empty());
    assert_eq!(std::fs::read(&f).unwrap(), raw);
    assert_eq!(listing(dir.path()), ["access.log.1"]);
    // A missing file among others: exit 74 naming it; the files before it are done.
    let good = dir.path().join("a.log");
    std::fs::write(
        &good,
        &raw[..raw.iter().position(|&b| b == b'\n').unwrap() + 1],
    )
    .unwrap();
    let missing = dir.path().join("missing.log");
    let out = run(&[
        "anonymize",
        "-q",
        "--in-place",
        good.to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(74));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.log"));
    assert_eq!(
        std::fs::read_to_string(&good).unwrap(),
        "1.2.0.0 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5\n"
    );
}

/// The size of a file logveil (process `pid`) has open for writing in `dir`, other than `except`.
fn temp_size(pid: u32, dir: &Path, except: &Path) -> Option<u64> {
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    for fd in fds.flatten() {
        let Ok(target) = std::fs::read_link(fd.path()) else {
            continue;
        };
        if target.starts_with(dir) && target != except {
            if let Ok(meta) = std::fs::metadata(fd.path()) {
                return Some(meta.len());
            }
        }
    }
    None
}

#[test]
fn killed_half_way_leaves_the_original_and_nothing_else() {
    for (name, sig) in [("KILL", Signal::KILL), ("TERM", Signal::TERM)] {
        killed_half_way(name, sig);
    }
}

/// Runs `--in-place` on a 40 MB gzip log and sends it `sig` (called `signal`) half-way.
fn killed_half_way(signal: &str, sig: Signal) {
    let dir = tempfile::tempdir().unwrap();
    let dir_path: PathBuf = std::fs::canonicalize(dir.path()).unwrap();
    // About 40 MB of real log, gzip: long enough to be caught half-way.
    let raw = std::fs::read(corpus("combined-elastic-apache_logs.log")).unwrap();
    let mut big = Vec::with_capacity(raw.len() * 16);
    for _ in 0..16 {
        big.extend_from_slice(&raw);
    }
    let f = dir_path.join("access.log.2.gz");
    let original = gzip(&big);
    std::fs::write(&f, &original).unwrap();
    let mut child = bin()
        .args([
            "anonymize",
            "-q",
            "--threads",
            "1",
            "--in-place",
            f.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    // Half-way: the temporary file has some bytes and the process is still running.
    let started = wait_until(Duration::from_secs(30), || {
        temp_size(child.id(), &dir_path, &f).is_some_and(|n| n > 0)
    });
    assert!(started, "SIG{signal}: no temporary output seen");
    assert!(
        child.try_wait().unwrap().is_none(),
        "SIG{signal}: finished before the signal"
    );
    common::signal(child.id(), sig);
    let status = child.wait().unwrap();
    assert!(!status.success(), "SIG{signal}: {status:?}");
    assert_eq!(
        std::fs::read(&f).unwrap(),
        original,
        "SIG{signal}: original changed"
    );
    assert_eq!(
        listing(&dir_path),
        ["access.log.2.gz"],
        "SIG{signal}: something was left beside it"
    );
}

#[test]
fn bzip2_and_xz_files_are_rewritten_in_their_own_format() {
    let dir = tempfile::tempdir().unwrap();
    let raw = std::fs::read(sample("apache-combined-elastic.log")).unwrap();
    let plain = dir.path().join("access.log.1");
    std::fs::write(&plain, &raw).unwrap();
    let want = expected(&plain);
    assert_ne!(want, raw);
    let (a, b) = raw.split_at(raw.len() / 2);
    // Two streams each, as `cat` of two compressed files makes.
    let mut bz = Vec::new();
    let mut xz = Vec::new();
    for part in [a, b] {
        let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        e.write_all(part).unwrap();
        bz.extend(e.finish().unwrap());
        let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
        e.write_all(part).unwrap();
        xz.extend(e.finish().unwrap());
    }
    let bz_path = dir.path().join("access.log.2.bz2");
    let xz_path = dir.path().join("access.log.3.xz");
    // Named as plain text: the bytes tell the compression, and it is kept.
    let hidden = dir.path().join("access.log.4");
    std::fs::write(&bz_path, &bz).unwrap();
    std::fs::write(&xz_path, &xz).unwrap();
    std::fs::write(&hidden, &bz).unwrap();
    let args = [
        "anonymize",
        "-q",
        "--in-place",
        bz_path.to_str().unwrap(),
        xz_path.to_str().unwrap(),
        hidden.to_str().unwrap(),
    ];
    let out = run(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in [&bz_path, &hidden] {
        let bytes = std::fs::read(f).unwrap();
        assert!(bytes.starts_with(b"BZh"), "{}: still bzip2", f.display());
        let mut back = Vec::new();
        bzip2::read::MultiBzDecoder::new(&bytes[..])
            .read_to_end(&mut back)
            .unwrap();
        assert!(back == want, "{}", f.display());
    }
    let bytes = std::fs::read(&xz_path).unwrap();
    assert!(bytes.starts_with(b"\xfd7zXZ\0"), "still xz");
    let mut back = Vec::new();
    liblzma::read::XzDecoder::new_multi_decoder(&bytes[..])
        .read_to_end(&mut back)
        .unwrap();
    assert!(back == want);
    assert_eq!(
        listing(dir.path()),
        [
            "access.log.1",
            "access.log.2.bz2",
            "access.log.3.xz",
            "access.log.4"
        ]
    );
    // Running again changes nothing.
    assert!(run(&args).status.success());
    let mut again = Vec::new();
    liblzma::read::XzDecoder::new_multi_decoder(&std::fs::read(&xz_path).unwrap()[..])
        .read_to_end(&mut again)
        .unwrap();
    assert!(again == want);
}

#[test]
fn what_is_not_text_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let line = b"1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5\n";
    let nul_in_bz2 = {
        let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        e.write_all(&[&line[..], b"\0\0\0\0\n"].concat()).unwrap();
        e.finish().unwrap()
    };
    let files: [(&str, Vec<u8>, &str); 4] = [
        (
            "access.log.2.zip",
            [&b"PK\x03\x04\x14\x00\x00\x00"[..], line].concat(),
            "zip archive",
        ),
        (
            "access.log.3.lz4",
            [&b"\x04\x22\x4d\x18\x64\x40\xa7"[..], line].concat(),
            "lz4 data",
        ),
        (
            "access.log.4",
            [&line[..], b"x\0y 10.1.2.3\n", line].concat(),
            "binary data",
        ),
        ("access.log.5.bz2", nul_in_bz2, "binary data"),
    ];
    for (name, bytes, what) in &files {
        let f = dir.path().join(name);
        std::fs::write(&f, bytes).unwrap();
        let out = run(&["anonymize", "--in-place", f.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(65), "{name}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.starts_with(&format!("logveil: {}: {what}", f.display()))
                && err.contains("cannot be read as a log")
                && err.lines().count() == 1,
            "{name}: {err}"
        );
        assert!(full_ipv4s(err.as_bytes()).is_empty(), "{name}: {err}");
        assert!(out.stdout.is_empty());
        assert_eq!(&std::fs::read(&f).unwrap(), bytes, "{name} was changed");
    }
    let mut names: Vec<&str> = files.iter().map(|(n, _, _)| *n).collect();
    names.sort();
    assert_eq!(listing(dir.path()), names, "a temporary file was left");
}

/// Runs `anonymize --in-place` with `args` on `file`; returns stderr.
fn in_place(file: &Path, args: &[&str]) -> String {
    let mut all = vec!["anonymize", "--in-place"];
    all.extend_from_slice(args);
    all.push(file.to_str().unwrap());
    let out = run(&all);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{err}");
    err
}

/// The mark `--in-place` leaves, if this file system keeps user attributes.
fn mark_of(file: &Path) -> Option<String> {
    let mut buf = [0u8; 256];
    let n = rustix::fs::getxattr(file, "user.logveil", &mut buf[..]).ok()?;
    Some(String::from_utf8(buf[..n].to_vec()).unwrap())
}

/// A postrotate stanza and a cron job on the same file, in every mode: the second run leaves the file as
/// the first made it. With the mark it is not even rewritten (a note says so; `--force` redoes it); without
/// (a copy, or a file system with no user attributes) it is rewritten into the same bytes, except under
/// crypto-pan, which cannot tell its output from an address.
#[test]
fn a_second_run_changes_nothing_in_any_mode() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    assert!(
        logveil(&["keygen", key.to_str().unwrap()], b"")
            .status
            .success()
    );
    let raw = std::fs::read(sample("apache-combined-elastic.log")).unwrap();
    for mode in ["truncate", "pseudonymize", "crypto-pan", "drop"] {
        let mut args = vec!["--ip-mode", mode];
        if mode == "pseudonymize" || mode == "crypto-pan" {
            args.extend(["--key-file", key.to_str().unwrap()]);
        }
        let file = dir.path().join(format!("{mode}.log.1"));
        std::fs::write(&file, &raw).unwrap();
        let first = in_place(&file, &args);
        assert!(
            first.starts_with("logveil: anonymize: 2000 lines") && first.lines().count() == 1,
            "{mode}: the first run says nothing beyond its summary: {first}"
        );
        let once = std::fs::read(&file).unwrap();
        assert_ne!(once, raw, "{mode}");
        let full = full_ipv4s(&once);
        match mode {
            // Pseudonyms are addresses of 240.0.0.0/4; crypto-pan's look like any address.
            "pseudonymize" => assert!(
                full.iter()
                    .all(|a| a.split('.').next().unwrap().parse::<u8>().unwrap() >= 240)
            ),
            "crypto-pan" => {}
            _ => assert!(full.is_empty(), "{mode}: {} full addresses", full.len()),
        }

        let marked = mark_of(&file);
        if let Some(mark) = &marked {
            assert!(mark.starts_with("logveil "), "{mode}: {mark}");
            assert!(!mark.contains(&std::fs::read_to_string(&key).unwrap().trim().to_string()));
            let inode = std::fs::metadata(&file).unwrap().ino();
            let err = in_place(&file, &args);
            assert!(
                err.contains("already anonymised with these settings"),
                "{mode}: {err}"
            );
            assert!(err.contains("--force"), "{err}");
            assert_eq!(
                std::fs::metadata(&file).unwrap().ino(),
                inode,
                "{mode}: not rewritten"
            );
            assert_eq!(std::fs::read(&file).unwrap(), once, "{mode}");
            // --force rewrites it (a new file takes its place).
            in_place(&file, &[args.as_slice(), &["--force", "-q"]].concat());
            assert_ne!(
                std::fs::metadata(&file).unwrap().ino(),
                inode,
                "{mode}: --force"
            );
            // Other settings are not these: the file is rewritten.
            let other = [args.as_slice(), &["--time-precision", "day", "-q"]].concat();
            let inode = std::fs::metadata(&file).unwrap().ino();
            in_place(&file, &other);
            assert_ne!(
                std::fs::metadata(&file).unwrap().ino(),
                inode,
                "{mode}: other settings"
            );
            std::fs::write(&file, &once).unwrap();
        }

        // Without the mark: a plain copy carries none.
        let copy = dir.path().join(format!("{mode}.copy.log.1"));
        std::fs::write(&copy, &once).unwrap();
        assert_eq!(mark_of(&copy), None);
        in_place(&copy, &[args.as_slice(), &["-q"]].concat());
        let twice = std::fs::read(&copy).unwrap();
        if mode == "crypto-pan" {
            assert_ne!(twice, once, "crypto-pan cannot recognise its own output");
        } else {
            assert_eq!(twice, once, "{mode}: its output is its own fixed point");
        }
    }
}
