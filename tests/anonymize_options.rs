//! The identifier options of `anonymize` run as a binary.

use std::process::Output;

mod common;
use common::logveil;

fn anonymize(args: &[&str], input: &str) -> Output {
    let mut all = vec!["anonymize", "-q"];
    all.extend_from_slice(args);
    logveil(&all, input.as_bytes())
}

const LINE: &str = concat!(
    r#"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "#,
    r#""GET /users/0612345678/orders/8f14e45f-ceea-467f-a0e6-6f4a1b2c3d4e;jsessionid=AB12?q=boots&page=2&sid=9 HTTP/1.1" "#,
    r#"200 5 "https://www.google.com/search?client=x&q=red+boots" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36""#,
    "\n"
);

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn default_identifier_rules() {
    let out = stdout(&anonymize(&[], LINE));
    assert_eq!(
        out,
        concat!(
            r#"83.149.0.0 - - [17/May/2015:10:05:03 +0000] "#,
            r#""GET /users/:id/orders/:uuid?q=boots&page=2&sid= HTTP/1.1" "#,
            r#"200 5 "https://www.google.com/search?q=red+boots" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36""#,
            "\n"
        )
    );
}

#[test]
fn drop_param_max_digits_user_agent_and_time() {
    let out = stdout(&anonymize(
        &[
            "--drop-param",
            "q",
            "--max-digits",
            "12",
            "--user-agent",
            "generalize",
            "--time-precision",
            "day",
        ],
        LINE,
    ));
    assert!(out.contains("[17/May/2015:00:00:00 +0000]"), "{out}");
    assert!(
        out.contains("/users/0612345678/orders/:uuid?q=&page=2&sid="),
        "{out}"
    );
    assert!(out.ends_with("\"Chrome/32 (Linux)\"\n"), "{out}");
}

#[test]
fn option_values_are_validated() {
    assert_eq!(anonymize(&["--max-digits", "2"], "").status.code(), Some(2));
    assert_eq!(
        anonymize(&["--user-agent", "shorten"], "").status.code(),
        Some(2)
    );
    assert_eq!(
        anonymize(&["--key-file", "/nonexistent"], "").status.code(),
        Some(2)
    );
}
