//! The CLI end to end, against the sandbox.

use std::process::Output;

use assert_cmd::Command;

fn waba() -> Command {
    let mut c = Command::cargo_bin("waba").unwrap();
    // Nothing from the developer's environment leaks into the tests.
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("WABA_")) {
        c.env_remove(k);
    }
    c
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn fixture(p: &str) -> String {
    format!("{}/../../fixtures/{p}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn demo_prints_a_delivered_or_read_row_per_provider() {
    let o = waba().arg("demo").output().unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    for provider in [
        "cloud",
        "onprem",
        "tujenge",
        "enablex",
        "mobile-gateway",
        "generic-v2",
    ] {
        let row = out
            .lines()
            .find(|l| l.starts_with(&format!("{provider} ")))
            .unwrap_or_else(|| panic!("no row for {provider}:\n{out}"));
        assert!(
            row.contains(" read ") || row.contains(" delivered "),
            "{row}"
        );
        assert!(row.contains(" yes "), "no reply: {row}");
    }
}

#[test]
fn webhook_decode_prints_one_json_event_per_line() {
    let o = waba()
        .args(["webhook", "decode", "--provider", "cloud"])
        .arg(fixture("cloud/webhooks/batch_with_malformed_items.json"))
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Nothing is dropped: the items that could not be typed are printed too, with where
    // they sat and why.
    assert_eq!(lines.len(), 7, "{out}");
    assert_eq!(lines[0]["kind"], "message");
    assert_eq!(lines[1]["content"]["type"], "unknown");
    assert_eq!(
        lines[1]["content"]["reason"],
        "a message of type text without its text object"
    );
    let unknown: Vec<_> = lines.iter().filter(|l| l["kind"] == "unknown").collect();
    assert_eq!(unknown.len(), 2, "{out}");
    assert_eq!(
        unknown[0]["location"],
        "/entry/0/changes/0/value/statuses/1"
    );
    assert_eq!(unknown[1]["location"], "/entry/2");
    assert!(err.is_empty(), "{err}");

    let o = waba()
        .args(["webhook", "decode", "--provider", "mobile-gateway"])
        .arg(fixture("mobile-gateway/webhooks/dlr_received.json"))
        .output()
        .unwrap();
    let dlr = serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap();
    assert_eq!(dlr["status"], "delivered");
    assert_eq!(dlr["raw_status"], "received");
}

#[test]
fn webhook_decode_raw_prints_the_provider_json_beside_each_event() {
    let o = waba()
        .args(["webhook", "decode", "--raw", "--provider", "cloud"])
        .arg(fixture("cloud/webhooks/drift_contact_wa_id_number.json"))
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    for l in &lines {
        assert_eq!(l["event"]["kind"], "message");
        assert_eq!(l["raw"]["id"], l["event"]["id"], "{l}");
        assert_eq!(l["raw"]["type"], "text");
    }
}

/// The credentials given must be the kind the provider's webhooks carry: an app secret for
/// an unsigned provider would refuse every real webhook, a header for a signed one would
/// replace the signature check; an unknown provider is refused before any warning.
#[test]
fn webhook_listen_refuses_credentials_of_the_wrong_kind() {
    for (args, says) in [
        (
            &["--provider", "onprem", "--secret", "abc"][..],
            "onprem webhooks are not signed",
        ),
        (
            &["--provider", "tujenge", "--secret", "abc"][..],
            "--header",
        ),
        (&["--provider", "enablex", "--secret", "abc"][..], "--basic"),
        (
            &["--provider", "cloud", "--header", "X-A: b"][..],
            "cloud webhooks are signed",
        ),
        (
            &["--provider", "generic-v2", "--basic", "u:p"][..],
            "give --secret",
        ),
        (&["--provider", "whatsap"][..], "unknown provider"),
    ] {
        let o = waba()
            .args(["webhook", "listen", "--port", "0"])
            .args(args)
            .output()
            .unwrap();
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(64), "{args:?}: a usage error: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(
            !err.contains("warning"),
            "{args:?}: no warning first: {err}"
        );
    }
}

#[test]
fn webhook_listen_for_a_signed_provider_needs_a_secret_or_insecure() {
    for provider in ["cloud", "generic-v2"] {
        let o = waba()
            .args(["webhook", "listen", "--port", "0", "--provider", provider])
            .output()
            .unwrap();
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(64), "a usage error: {err}");
        assert!(
            err.contains("--secret") && err.contains("--insecure"),
            "{err}"
        );
        let o = waba()
            .args(["webhook", "listen", "--port", "0", "--provider", provider])
            .args(["--secret", ""])
            .output()
            .unwrap();
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(64), "a usage error: {err}");
        assert!(err.contains("secret is empty"), "{err}");
    }
    // With --insecure it starts, and says loudly that nothing is checked.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("waba"))
        .args([
            "webhook",
            "listen",
            "--port",
            "0",
            "--provider",
            "cloud",
            "--insecure",
        ])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut first).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(first.starts_with("warning: --insecure"), "{first}");
}

#[test]
fn undecodable_bodies_and_bad_arguments_fail_in_one_line() {
    let dir = std::env::temp_dir().join(format!("waba-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let garbage = dir.join("garbage.bin");
    std::fs::write(&garbage, [0xff, 0x00, 0x13, b'{']).unwrap();
    let o = waba()
        .args(["webhook", "decode", "--provider", "onprem"])
        .arg(&garbage)
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(65), "invalid input");
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: decode:"), "{err}");

    let o = waba()
        .args(["webhook", "decode", "--provider", "whatsapp-web"])
        .arg(&garbage)
        .output()
        .unwrap();
    assert!(text(&o).1.contains("unknown provider \"whatsapp-web\""));

    let o = waba()
        .args(["send", "--to", "+16315551002"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(64), "send needs a kind");

    let o = waba()
        .args(["send", "--to", "+16315551002", "--text", "hi"])
        .output()
        .unwrap();
    let err = text(&o).1;
    assert_eq!(o.status.code(), Some(78), "configuration");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("set WABA_PROVIDER"), "{err}");

    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "provider = \"cloud\"\n[cloud]\naccess_token = [1, 2]\n",
    )
    .unwrap();
    let o = waba()
        .arg("--config")
        .arg(&bad)
        .args(["send", "--to", "+16315551002", "--text", "hi"])
        .output()
        .unwrap();
    let err = text(&o).1;
    assert!(
        err.contains(&format!(
            "`cloud.access_token` in {} must be a string",
            bad.display()
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}

/// A sandbox on its own runtime thread, for the CLI to talk to.
struct Running {
    info: serde_json::Value,
    _rt: tokio::runtime::Runtime,
}

fn sandbox() -> Running {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let handle = rt
        .block_on(waba::sandbox::Sandbox::builder().lifecycle(None).start())
        .unwrap();
    rt.block_on(handle.inject_inbound("cloud", &"+16315551002".parse().unwrap(), "hi"))
        .unwrap();
    let info = handle.info();
    std::mem::forget(handle);
    Running { info, _rt: rt }
}

/// Points the CLI's configuration at the sandbox's emulation of `provider`: every
/// credential the sandbox lists becomes its `WABA_<PROVIDER>_<KEY>` variable.
fn provider_env(c: &mut Command, info: &serde_json::Value, provider: &str) {
    let prefix = format!("WABA_{}_", provider.replace('-', "_").to_uppercase());
    c.env("WABA_PROVIDER", provider);
    let settings = info["providers"][provider].as_object().unwrap();
    for (key, value) in settings {
        if let Some(v) = value.as_str() {
            c.env(format!("{prefix}{}", key.to_uppercase()), v);
        }
    }
}

#[test]
fn send_status_and_contacts_against_the_sandbox() {
    let s = sandbox();
    let mut c = waba();
    provider_env(&mut c, &s.info, "cloud");
    let o = c
        .args(["send", "--to", "+16315551002", "--text", "hello"])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.trim().starts_with("wamid."), "{out}");

    let mut c = waba();
    provider_env(&mut c, &s.info, "cloud");
    let o = c
        .args(["send", "--to", "+16315559999", "--text", "hello"])
        .output()
        .unwrap();
    let err = text(&o).1;
    assert_eq!(o.status.code(), Some(3), "the provider refused");
    assert!(err.starts_with("error: outside_customer_window:"), "{err}");
    assert!(err.contains("send a template"), "{err}");

    let mut c = waba();
    provider_env(&mut c, &s.info, "cloud");
    let o = c.args(["status", "wamid.X"]).output().unwrap();
    assert_eq!(o.status.code(), Some(69));
    assert_eq!(
        text(&o).1.trim(),
        "error: unsupported: message status is not supported by cloud"
    );

    let mut c = waba();
    provider_env(&mut c, &s.info, "cloud");
    let o = c
        .args(["contacts", "check", "+16315551002"])
        .output()
        .unwrap();
    assert!(
        text(&o)
            .1
            .contains("contacts check is not supported by cloud")
    );
}

#[test]
fn status_and_contacts_where_the_provider_supports_them() {
    let s = sandbox();
    let mut c = waba();
    provider_env(&mut c, &s.info, "generic-v2");
    let o = c
        .args([
            "send",
            "--to",
            "+16315551002",
            "--template",
            "order_update",
            "--param",
            "A-1",
        ])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let id = out.trim().to_owned();

    let mut c = waba();
    provider_env(&mut c, &s.info, "generic-v2");
    let o = c
        .args(["--output", "json", "status", &id])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let record: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(record["id"], id.as_str(), "{out}");

    let mut c = waba();
    provider_env(&mut c, &s.info, "onprem");
    let o = c
        .args([
            "contacts",
            "check",
            "--output",
            "json",
            "+16315551002",
            "+1 631 555 1003",
        ])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0]["input"], "+16315551002", "{out}");
}
