//! A real Apache httpd logging through `CustomLog "|logveil anonymize --output FILE"`: every request is
//! written anonymised while the server runs, across a logrotate-style rotation (move the file, SIGHUP to
//! logveil), an Apache graceful restart (which sends the piped logger SIGTERM and starts a new one on the
//! same pipe) and the final shutdown.
//!
//! Needs Debian's `apache2` (scripts/test installs it). httpd runs in the foreground on 127.0.0.1 with a
//! free port and its own configuration in a temporary directory; as root it serves as `www-data`.
//!
//! A second test takes a copy of Debian's own `/etc/apache2`, runs docs/OPERATIONS.md's commands on it as
//! they are written, and checks that no file under the log directory holds a full address afterwards.

mod common;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use rustix::process::Signal;

const APACHE: &str = "/usr/sbin/apache2";
const MODULES: &str = "/usr/lib/apache2/modules";
/// How long any one step may take before the test gives up.
const STEP: Duration = Duration::from_secs(15);
/// The secret part of every request's session cookie.
const SESSION: &str = "7c2e9a41d0b35f86e1a4c9d27b6f03e5";

/// httpd in the foreground; stopped (SIGTERM, then SIGKILL) when dropped, so a failing test leaves nothing.
struct Httpd {
    child: Child,
    port: u16,
}

impl Drop for Httpd {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            signal(self.child.id(), Signal::TERM);
            if !wait_until(Duration::from_secs(5), || {
                self.child.try_wait().ok().flatten().is_some()
            }) {
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a free port");
    listener.local_addr().unwrap().port()
}

/// Starts `command` (an httpd in the foreground) in its own process group and waits until it accepts
/// connections on `port`; `error_log` is shown if it does not.
fn spawn_httpd(mut command: Command, port: u16, error_log: &Path) -> Httpd {
    let child = command
        // httpd signals its whole process group (SIGTERM at shutdown, SIGHUP at restart): that must be its
        // own group, not the test runner's.
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start apache2");
    let mut httpd = Httpd { child, port };
    let up = wait_until(STEP, || {
        TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok()
            || httpd.child.try_wait().ok().flatten().is_some()
    });
    if !up || httpd.child.try_wait().unwrap().is_some() {
        let mut stderr = String::new();
        if let Some(mut e) = httpd.child.stderr.take() {
            let _ = e.read_to_string(&mut stderr);
        }
        panic!(
            "apache2 did not start: {stderr}{}",
            std::fs::read_to_string(error_log).unwrap_or_default()
        );
    }
    httpd
}

/// Writes the configuration and starts httpd; returns once it accepts connections.
fn start_httpd(dir: &Path) -> Httpd {
    assert!(
        Path::new(APACHE).exists(),
        "{APACHE} is missing: install Debian's apache2 (scripts/test does)"
    );
    // Children run as www-data when we are root: they must reach the document root.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let htdocs = dir.join("htdocs");
    std::fs::create_dir_all(&htdocs).unwrap();
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    for n in (2..=20).step_by(2) {
        std::fs::write(htdocs.join(format!("req-{n}.html")), "hello\n").unwrap();
    }
    let port = free_port();
    let root = rustix::process::geteuid().is_root();
    let user = if root {
        "User www-data\nGroup www-data\n"
    } else {
        ""
    };
    let d = dir.display();
    let logveil = env!("CARGO_BIN_EXE_logveil");
    let conf = format!(
        r#"ServerRoot "{d}"
ServerName localhost
Listen 127.0.0.1:{port}
PidFile "{d}/httpd.pid"
DefaultRuntimeDir "{d}"
LoadModule mpm_prefork_module {MODULES}/mod_mpm_prefork.so
LoadModule authz_core_module {MODULES}/mod_authz_core.so
{user}StartServers 2
MinSpareServers 1
MaxSpareServers 3
ErrorLog "{d}/error.log"
LogLevel notice
DocumentRoot "{d}/htdocs"
<Directory "{d}/htdocs">
    Require all granted
</Directory>
# combined, plus the forwarded-for chain and the cookies a proxy setup often logs
LogFormat "%h %l %u %t \"%r\" %>s %b \"%{{Referer}}i\" \"%{{User-Agent}}i\" \"%{{X-Forwarded-For}}i\" \"%{{Cookie}}i\"" combined_proxy
CustomLog "|{logveil} anonymize --quiet --output {d}/logs/access.log" combined_proxy
"#
    );
    let conf_path = dir.join("httpd.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let mut command = Command::new(APACHE);
    command.arg("-f").arg(&conf_path).arg("-DFOREGROUND");
    spawn_httpd(command, port, &dir.join("error.log"))
}

/// Sends request `n` (an email in the query, a forwarded-for chain, a session cookie, a referrer with an
/// email) and returns the status code.
fn request(port: u16, n: usize) -> u16 {
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect to httpd");
    stream.set_read_timeout(Some(STEP)).unwrap();
    // Even requests find their page (200), odd ones do not (404).
    let req = format!(
        "GET /req-{n}.html?email=visitor{n}%40example.com&q=cats HTTP/1.1\r\n\
         Host: 127.0.0.1:{port}\r\n\
         User-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0\r\n\
         Referer: http://shop.example.net/cart?user=buyer{n}@example.org\r\n\
         X-Forwarded-For: 198.51.100.{n}, 10.20.30.{n}\r\n\
         Cookie: session={SESSION}; theme=dark\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(req.as_bytes()).expect("send request");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read response");
    let head = String::from_utf8_lossy(&response);
    head.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The request numbers (`/req-N.html`) logged in `path`, in order.
fn logged(path: &Path) -> Vec<usize> {
    file_lines(path)
        .iter()
        .filter_map(|l| {
            let at = l.find("/req-")? + 5;
            l[at..].split('.').next()?.parse().ok()
        })
        .collect()
}

/// Process ids of the logveil processes writing to `output`.
fn loggers(output: &Path) -> Vec<u32> {
    let needle = output.to_string_lossy().into_owned();
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmdline
            .split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let is_logveil = args
            .first()
            .is_some_and(|a| a == env!("CARGO_BIN_EXE_logveil"));
        if is_logveil && args.contains(&needle) {
            pids.push(pid);
        }
    }
    pids
}

fn send_all(port: u16, range: std::ops::RangeInclusive<usize>) {
    for n in range {
        let status = request(port, n);
        assert!(
            status == 200 || status == 404,
            "request {n}: status {status}"
        );
    }
}

#[test]
fn apache_logs_through_logveil_across_rotation_restart_and_stop() {
    let tmp = tempfile::tempdir().unwrap();
    let httpd = start_httpd(tmp.path());
    let port = httpd.port;
    let log = tmp.path().join("logs/access.log");
    let rotated = tmp.path().join("logs/access.log.1");

    // Lines reach the file while the server runs.
    send_all(port, 1..=5);
    assert!(
        wait_until(STEP, || logged(&log).len() == 5),
        "{:?}",
        logged(&log)
    );
    let first = loggers(&log);
    assert_eq!(first.len(), 1, "one piped logger: {first:?}");

    // Rotation as logrotate does it without copytruncate: move the file (a request logged now still goes
    // to the moved file), then SIGHUP to logveil, which starts the new file at once.
    std::fs::rename(&log, &rotated).unwrap();
    send_all(port, 6..=6);
    assert!(wait_until(STEP, || logged(&rotated).len() == 6));
    signal(first[0], Signal::HUP);
    assert!(
        wait_until(STEP, || log.exists()),
        "no new file after SIGHUP"
    );
    send_all(port, 7..=10);
    assert!(wait_until(STEP, || logged(&log).len() == 4));
    assert_eq!(loggers(&log), first, "SIGHUP must not restart the logger");

    // Apache's graceful restart sends the piped logger SIGTERM and starts a new one on the same pipe. A
    // request answered just before it must not be lost by either.
    send_all(port, 11..=11);
    signal(httpd.child.id(), Signal::USR1);
    assert!(
        wait_until(STEP, || {
            let now = loggers(&log);
            now.len() == 1 && now != first
        }),
        "no new logger after the graceful restart: {:?}",
        loggers(&log)
    );
    assert!(wait_until(STEP, || TcpStream::connect((
        Ipv4Addr::LOCALHOST,
        port
    ))
    .is_ok()));
    send_all(port, 12..=15);
    assert!(wait_until(STEP, || logged(&log).len() == 9));

    // Shutdown: httpd stops its logger, which writes what it read and exits.
    let second = loggers(&log);
    let mut httpd = httpd;
    signal(httpd.child.id(), Signal::TERM);
    assert!(wait_until(STEP, || httpd
        .child
        .try_wait()
        .unwrap()
        .is_some()));
    assert!(
        wait_until(STEP, || loggers(&log).is_empty()),
        "logveil {second:?} still running"
    );

    let mut all = logged(&rotated);
    assert_eq!(all, (1..=6).collect::<Vec<_>>(), "rotated file");
    all.extend(logged(&log));
    all.sort_unstable();
    assert_eq!(
        all,
        (1..=15).collect::<Vec<_>>(),
        "every request exactly once"
    );

    for file in [&rotated, &log] {
        let text = std::fs::read(file).unwrap();
        assert_eq!(count_lines(&text), logged(file).len(), "{}", file.display());
        assert_eq!(
            full_ipv4s(&text),
            Vec::<String>::new(),
            "{}",
            file.display()
        );
        assert_eq!(emails(&text), Vec::<String>::new(), "{}", file.display());
        let s = String::from_utf8_lossy(&text);
        assert!(
            !s.contains(SESSION),
            "session cookie left in {}",
            file.display()
        );
        assert!(s.contains("127.0.0.0 - - ["), "{s}");
        assert!(s.contains("\"198.51.0.0, 10.20.0.0\""), "{s}");
    }
    // logveil reports into Apache's error log; with --quiet only errors would be there.
    let errors = std::fs::read_to_string(tmp.path().join("error.log")).unwrap();
    assert!(
        !errors.lines().any(|l| l.starts_with("logveil:")),
        "{errors}"
    );
}

/// The shell block under `heading` in docs/OPERATIONS.md, less its last line (`apache2ctl configtest &&
/// systemctl reload apache2`, which the test does its own way).
fn operations_commands(heading: &str) -> String {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/OPERATIONS.md"))
        .unwrap();
    let section = &doc[doc.find(heading).expect("the Apache section")..];
    let block = &section[section.find("```sh\n").unwrap() + 6..];
    let block = &block[..block.find("```").unwrap()];
    let mut lines: Vec<&str> = block.lines().collect();
    let last = lines.pop().unwrap();
    assert!(last.starts_with("apache2ctl configtest"), "{last}");
    lines.join("\n") + "\n"
}

fn write_to(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

#[test]
fn debian_default_configuration_with_the_documented_recipe_keeps_no_raw_address() {
    assert!(
        Path::new("/etc/apache2/apache2.conf").exists(),
        "Debian's apache2 is missing (scripts/test installs it)"
    );
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
    let etc = root.join("etc");
    let copied = Command::new("cp")
        .arg("-a")
        .arg("/etc/apache2")
        .arg(&etc)
        .status()
        .unwrap();
    assert!(copied.success());
    for dir in ["log", "run", "lock"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
        std::fs::set_permissions(root.join(dir), std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    let logs = root.join("log");

    // The recipe, as docs/OPERATIONS.md writes it, on the copy.
    let recipe = operations_commands("### Apache httpd (Debian, Ubuntu)")
        .replace("/etc/apache2", etc.to_str().unwrap())
        .replace("/usr/bin/logveil", env!("CARGO_BIN_EXE_logveil"));
    let applied = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &recipe])
        .env("APACHE_CONFDIR", &etc)
        .output()
        .unwrap();
    assert!(
        applied.status.success(),
        "{recipe}\n{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    assert!(
        !etc.join("conf-enabled/other-vhosts-access-log.conf")
            .exists()
    );
    let site = std::fs::read_to_string(etc.join("sites-available/000-default.conf")).unwrap();
    assert!(site.contains("CustomLog \"|"), "{site}");

    // Only what a test needs beyond the recipe: a free port on the loopback, directories of its own.
    let port = free_port();
    write_to(
        &etc.join("ports.conf"),
        &format!("Listen 127.0.0.1:{port}\n"),
    );
    let site = etc.join("sites-available/000-default.conf");
    let text = std::fs::read_to_string(&site).unwrap();
    assert!(text.contains("<VirtualHost *:80>"), "{text}");
    write_to(
        &site,
        &text.replace("<VirtualHost *:80>", &format!("<VirtualHost *:{port}>")),
    );
    let mut command = Command::new(APACHE);
    command
        .arg("-d")
        .arg(&etc)
        .arg("-f")
        .arg(etc.join("apache2.conf"))
        .arg("-DFOREGROUND")
        .env("APACHE_CONFDIR", &etc)
        .env("APACHE_RUN_USER", "www-data")
        .env("APACHE_RUN_GROUP", "www-data")
        .env("APACHE_PID_FILE", root.join("run/apache2.pid"))
        .env("APACHE_RUN_DIR", root.join("run"))
        .env("APACHE_LOCK_DIR", root.join("lock"))
        .env("APACHE_LOG_DIR", &logs)
        .env("LANG", "C");
    let mut httpd = spawn_httpd(command, port, &logs.join("error.log"));

    // Requests to the default site, to a virtual host name it does not know (other_vhosts_access.log's
    // case), a 404, and one denied by Debian's `<FilesMatch "^\.ht">`, which Apache writes to error.log
    // with the client's address.
    let get = |path: &str, host: &str| {
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
        stream.set_read_timeout(Some(STEP)).unwrap();
        let req = format!(
            "GET {path}?email=jo%40example.com HTTP/1.1\r\nHost: {host}\r\n\
             Referer: http://ref.example.net/?u=ann@example.org\r\n\
             X-Forwarded-For: 198.51.100.23\r\nUser-Agent: Mozilla/5.0\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(req.as_bytes()).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        String::from_utf8_lossy(&response)
            .split(' ')
            .nth(1)
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(get("/", "localhost"), "200");
    assert_eq!(get("/", "other.example.org"), "200");
    assert_eq!(get("/nope.html", "localhost"), "404");
    assert_eq!(get("/.htaccess", "localhost"), "403");
    let access = logs.join("access.log");
    assert!(
        wait_until(STEP, || file_lines(&access).len() == 4),
        "{:?}",
        file_lines(&access)
    );

    // Stop httpd; its loggers write what they read and exit.
    signal(httpd.child.id(), Signal::TERM);
    assert!(wait_until(STEP, || httpd
        .child
        .try_wait()
        .unwrap()
        .is_some()));
    assert!(wait_until(STEP, || loggers(&access).is_empty()));

    let mut files = Vec::new();
    for entry in std::fs::read_dir(&logs).unwrap().flatten() {
        files.push(entry.path());
    }
    files.sort();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["access.log", "error.log"],
        "no other log is written"
    );
    for file in &files {
        let text = std::fs::read(file).unwrap();
        assert_eq!(
            full_ipv4s(&text),
            Vec::<String>::new(),
            "{}",
            file.display()
        );
        assert_eq!(emails(&text), Vec::<String>::new(), "{}", file.display());
    }
    let access_text = std::fs::read_to_string(&access).unwrap();
    assert!(access_text.starts_with("127.0.0.0 - - ["), "{access_text}");
    // The denied request's error line is there, its address reduced.
    let errors = std::fs::read_to_string(logs.join("error.log")).unwrap();
    assert!(errors.contains("[client 127.0.0.0:"), "{errors}");
}
