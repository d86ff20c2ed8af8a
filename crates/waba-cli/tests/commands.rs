//! Every command and exit code of the CLI end to end, against the sandbox.

mod common;

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::time::Duration;

use common::{CUSTOMER, PROVIDERS, Running, fixture, text, waba};
use waba::Provider;
use waba::sandbox::Faults;
use waba::types::OutboundMessage;

/// The message fixtures, one per example of `docs/message-json.md`.
fn message_fixtures() -> Vec<(String, OutboundMessage)> {
    let dir = std::path::PathBuf::from(fixture("messages"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let message: OutboundMessage =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.display().to_string(), message)
        })
        .collect()
}

#[test]
fn every_content_kind_is_documented_with_a_fixture() {
    let kinds: std::collections::HashSet<_> = message_fixtures()
        .iter()
        .map(|(_, m)| m.content.kind())
        .collect();
    for kind in waba::types::ContentKind::ALL {
        assert!(kinds.contains(&kind), "no fixture of kind {kind}");
    }
    let doc = std::fs::read_to_string(format!(
        "{}/../../docs/message-json.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    for (path, _) in message_fixtures() {
        let name = std::path::Path::new(&path)
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            doc.contains(&format!("fixtures/messages/{name}")),
            "docs/message-json.md does not show {name}"
        );
    }
}

#[test]
fn send_json_sends_each_kind_a_provider_declares_and_refuses_the_others() {
    let s = Running::start();
    let fixtures = message_fixtures();
    for provider in PROVIDERS {
        let caps = s.provider(provider).capabilities().clone();
        for (path, message) in &fixtures {
            let kind = message.content.kind();
            let o = s
                .cli(provider)
                .args(["--output", "json", "send", "--json", path])
                .output()
                .unwrap();
            let (out, err) = text(&o);
            if caps.admits(message).is_ok() {
                assert!(o.status.success(), "{provider} {path}: {err}");
                let receipt: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
                assert_eq!(receipt["provider"], provider, "{out}");
                let id = receipt["id"].as_str().unwrap();
                let stored = s
                    .handle
                    .message(id)
                    .unwrap_or_else(|| panic!("{provider} {path}: {id} not stored"));
                assert_eq!(stored.direction, "outbound");
            } else {
                assert_eq!(o.status.code(), Some(69), "{provider} {path}: {err}");
                if !caps.content.contains(kind) {
                    assert!(err.contains(&format!("sending {kind} messages")), "{err}");
                }
            }
        }
    }
}

#[test]
fn send_json_reads_stdin_and_names_what_does_not_parse() {
    let s = Running::start();
    let body = std::fs::read(fixture("messages/text.json")).unwrap();
    let o = s
        .cli("cloud")
        .args(["send", "--json", "-"])
        .write_stdin(body)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(text(&o).0.starts_with("wamid."));

    let o = s
        .cli("cloud")
        .args(["send", "--json", "-"])
        .write_stdin(r#"{"to": "+16315551002", "content": {"type": "fax"}}"#)
        .output()
        .unwrap();
    let err = text(&o).1;
    assert_eq!(o.status.code(), Some(65), "{err}");
    assert!(
        err.contains("stdin is not a message in its JSON form"),
        "{err}"
    );
    assert!(err.contains("unknown variant `fax`"), "{err}");

    let o = s
        .cli("cloud")
        .args(["send", "--json", "/nonexistent/message.json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(74), "{}", text(&o).1);
}

#[test]
fn send_flags_cover_the_common_kinds() {
    let s = Running::start();
    let sent = |args: &[&str]| {
        let o = s
            .cli("cloud")
            .args(["send", "--to", CUSTOMER])
            .args(args)
            .output()
            .unwrap();
        let (out, err) = text(&o);
        assert!(o.status.success(), "{args:?}: {err}");
        let stored = s.handle.message(out.trim()).unwrap();
        stored.body
    };
    let body = sent(&["--text", "see https://example.com", "--preview-url"]);
    assert_eq!(body["text"]["preview_url"], true, "{body}");
    let body = sent(&[
        "--document",
        "https://example.com/a.pdf",
        "--caption",
        "Invoice",
    ]);
    assert_eq!(
        body["document"]["link"], "https://example.com/a.pdf",
        "{body}"
    );
    assert_eq!(body["document"]["caption"], "Invoice", "{body}");
    let body = sent(&["--video", "https://example.com/v.mp4"]);
    assert_eq!(body["type"], "video", "{body}");
    let body = sent(&["--audio", "https://example.com/a.ogg"]);
    assert_eq!(body["type"], "audio", "{body}");
    let body = sent(&["--sticker", "https://example.com/s.webp"]);
    assert_eq!(body["type"], "sticker", "{body}");
    let body = sent(&["--location", "-36.85,174.76"]);
    assert_eq!(body["location"]["latitude"], -36.85, "{body}");
    let inbound = s.inbound("cloud", "where is my order?");
    let body = sent(&["--text", "on its way", "--reply-to", &inbound]);
    assert_eq!(body["context"]["message_id"], inbound.as_str(), "{body}");

    // A local file is uploaded first, then sent by id.
    let dir = tempdir("flags");
    let png = dir.join("receipt.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n receipt").unwrap();
    let body = sent(&["--image", png.to_str().unwrap(), "--caption", "Receipt"]);
    assert!(body["image"]["id"].is_string(), "{body}");
}

#[test]
fn flags_that_do_not_apply_to_the_kind_are_usage_errors() {
    for args in [
        &["--text", "hi", "--caption", "c"][..],
        &["--text", "hi", "--param", "p"],
        &["--image", "https://example.com/a.jpg", "--preview-url"],
        &["--audio", "https://example.com/a.ogg", "--caption", "c"],
        &["--location", "1,2", "--filename", "a.pdf"],
        &["--text", "hi", "--image", "https://example.com/a.jpg"],
        &["--location", "north"],
        &["--image", "no-such-file.jpg"],
    ] {
        let o = waba()
            .env("WABA_PROVIDER", "cloud")
            .args(["send", "--to", CUSTOMER])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(64), "{args:?}: {}", text(&o).1);
    }
    let o = waba()
        .args(["send", "--json", "m.json", "--to", CUSTOMER])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(64), "--json carries the recipient");
}

#[test]
fn a_local_file_where_the_provider_cannot_upload_is_not_supported() {
    let s = Running::start();
    let provider = "enablex";
    assert!(!s.provider(provider).capabilities().upload_media);
    let dir = tempdir("noupload");
    let png = dir.join("a.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n").unwrap();
    let o = s
        .cli(provider)
        .args(["send", "--to", CUSTOMER, "--image"])
        .arg(&png)
        .output()
        .unwrap();
    let err = text(&o).1;
    assert_eq!(o.status.code(), Some(69), "{err}");
    assert!(
        err.contains("uploading a local file is not supported by enablex"),
        "{err}"
    );
}

#[test]
fn media_mark_read_and_templates_where_supported_and_refused_elsewhere() {
    let s = Running::start();
    let dir = tempdir("media");
    let png = dir.join("photo.png");
    let data = b"\x89PNG\r\n\x1a\n a photo".to_vec();
    std::fs::write(&png, &data).unwrap();
    let back = dir.join("back.png");
    let inbound = s.inbound("cloud", "read me");
    for provider in PROVIDERS {
        let caps = s.provider(provider).capabilities().clone();
        let o = s
            .cli(provider)
            .args(["media", "upload"])
            .arg(&png)
            .output()
            .unwrap();
        let (out, err) = text(&o);
        if caps.upload_media {
            assert!(o.status.success(), "{provider}: {err}");
            let id = out.trim();
            let o = s
                .cli(provider)
                .args(["--output", "json", "media", "download", id, "-o"])
                .arg(&back)
                .output()
                .unwrap();
            let (out, err) = text(&o);
            if caps.download_media {
                assert!(o.status.success(), "{provider}: {err}");
                assert_eq!(std::fs::read(&back).unwrap(), data, "{provider}");
                let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
                assert_eq!(v["bytes"], data.len(), "{out}");
            } else {
                assert_eq!(o.status.code(), Some(69), "{provider}: {err}");
            }
        } else {
            assert_eq!(o.status.code(), Some(69), "{provider}: {err}");
            assert!(
                err.contains(&format!("media upload is not supported by {provider}")),
                "{err}"
            );
        }

        let id = if provider == "cloud" {
            inbound.as_str()
        } else {
            "wamid.X"
        };
        let o = s
            .cli(provider)
            .args(["--output", "json", "mark-read", id])
            .output()
            .unwrap();
        let (out, err) = text(&o);
        if caps.mark_read {
            assert!(o.status.success(), "{provider}: {err}");
            assert!(out.contains("\"read\":true"), "{out}");
        } else {
            assert_eq!(o.status.code(), Some(69), "{provider}: {err}");
            assert!(err.contains(&format!("mark-read is not supported by {provider}")));
        }

        let o = s
            .cli(provider)
            .args(["--output", "json", "templates", "list"])
            .output()
            .unwrap();
        let (out, err) = text(&o);
        if caps.list_templates {
            assert!(o.status.success(), "{provider}: {err}");
            let names: Vec<String> = out
                .lines()
                .map(|l| {
                    serde_json::from_str::<serde_json::Value>(l).unwrap()["name"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
                .collect();
            assert!(
                names.iter().any(|n| n == "order_update"),
                "{provider}: {out}"
            );
        } else {
            assert_eq!(o.status.code(), Some(69), "{provider}: {err}");
            assert!(err.contains(&format!("templates list is not supported by {provider}")));
        }
    }
    assert!(
        PROVIDERS
            .iter()
            .any(|p| s.provider(p).capabilities().list_templates),
        "some provider lists templates"
    );
}

#[test]
fn exit_codes_tell_configuration_credentials_and_retry_later_apart() {
    // 77: credentials refused.
    let s = Running::start();
    let o = s
        .cli("cloud")
        .env("WABA_CLOUD_ACCESS_TOKEN", "wrong")
        .args(["send", "--to", CUSTOMER, "--text", "hi"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(77), "{}", text(&o).1);

    // 65: a message that breaks a limit.
    let o = s
        .cli("cloud")
        .args(["send", "--to", CUSTOMER, "--text", &"x".repeat(5000)])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(65), "{}", text(&o).1);

    // 5: the provider fails (503): a send is not idempotent, so it may have been sent.
    let s = Running::with_faults(Faults {
        error_rate: 1.0,
        error_status: 503,
        ..Faults::default()
    });
    let o = s
        .cli("cloud")
        .args(["send", "--to", CUSTOMER, "--text", "hi"])
        .output()
        .unwrap();
    let err = text(&o).1;
    assert_eq!(o.status.code(), Some(5), "{err}");
    assert!(err.starts_with("error: server:"), "{err}");

    // 75: throttled.
    let s = Running::with_faults(Faults {
        throttle_rate: 1.0,
        retry_after_secs: 0,
        ..Faults::default()
    });
    // A throttled send waits the throttling out, up to `throttle_wait` seconds.
    let o = s
        .cli("cloud")
        .env("WABA_THROTTLE_WAIT", "1")
        .args(["send", "--to", CUSTOMER, "--text", "hi"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(75), "{}", text(&o).1);

    // 5: the connection reset after the request went out: it may have been sent.
    let s = Running::with_faults(Faults {
        reset_rate: 1.0,
        ..Faults::default()
    });
    let o = s
        .cli("cloud")
        .args(["send", "--to", CUSTOMER, "--text", "hi"])
        .output()
        .unwrap();
    let err = text(&o).1;
    assert_eq!(o.status.code(), Some(5), "{err}");
    assert!(err.contains("may have been sent"), "{err}");

    // 75: nothing listens at the base URL.
    let port = free_port();
    let o = s
        .cli("cloud")
        .env("WABA_CLOUD_BASE_URL", format!("http://127.0.0.1:{port}"))
        .args(["send", "--to", CUSTOMER, "--text", "hi"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(75), "{}", text(&o).1);
}

#[test]
fn echoed_input_is_cut_short_and_its_length_named() {
    let to = "1".repeat(100 * 1024);
    let o = waba()
        .env("WABA_PROVIDER", "cloud")
        .env("WABA_CLOUD_ACCESS_TOKEN", "t")
        .env("WABA_CLOUD_PHONE_NUMBER_ID", "1")
        .args(["send", "--to", &format!("+{to}"), "--text", "hi"])
        .output()
        .unwrap();
    let err = text(&o).1;
    assert_eq!(o.status.code(), Some(65), "{err}");
    assert_eq!(err.lines().count(), 1);
    assert!(err.len() < 300, "{} bytes: {}", err.len(), &err[..300]);
    assert!(err.contains("(102403 characters)"), "{err}");
}

#[test]
fn help_lists_exit_codes_and_the_chosen_provider_configuration() {
    let o = waba()
        .env("WABA_PROVIDER", "cloud")
        .arg("--help")
        .output()
        .unwrap();
    let out = text(&o).0;
    assert!(o.status.success());
    assert!(out.contains("WABA_CLOUD_ACCESS_TOKEN"), "{out}");
    assert!(!out.contains("WABA_ENABLEX_APP_ID"), "{out}");
    assert!(out.contains("78  the configuration"), "{out}");
    assert!(out.contains("75  temporary failure"), "{out}");
    let o = waba().arg("--help").output().unwrap();
    let out = text(&o).0;
    assert!(
        out.contains("WABA_ENABLEX_APP_ID") && out.contains("WABA_MOBILE_GATEWAY_SOURCE"),
        "{out}"
    );
    let o = waba().arg("--no-such-flag").output().unwrap();
    assert_eq!(o.status.code(), Some(64));
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "_waba()"),
        ("zsh", "#compdef waba"),
        ("fish", "complete -c waba"),
    ] {
        let o = waba().args(["completions", shell]).output().unwrap();
        let out = text(&o).0;
        assert!(o.status.success(), "{shell}");
        assert!(
            out.contains(marker),
            "{shell}: {}",
            &out[..out.len().min(200)]
        );
        assert!(out.contains("mark-read"), "{shell}");
    }
}

#[test]
fn output_json_on_send_status_and_contacts() {
    let s = Running::start();
    let o = s
        .cli("generic-v2")
        .args(["--output", "json", "send", "--to", CUSTOMER, "--text", "hi"])
        .output()
        .unwrap();
    let receipt: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let id = receipt["id"].as_str().unwrap().to_owned();
    let o = s.cli("generic-v2").args(["status", &id]).output().unwrap();
    let out = text(&o).0;
    assert!(
        out.starts_with(&format!("{id} ")),
        "text output is one line: {out}"
    );
    let o = s
        .cli("onprem")
        .args(["contacts", "check", CUSTOMER])
        .output()
        .unwrap();
    assert_eq!(text(&o).0.trim(), "+16315551002 valid 16315551002");
}

#[test]
fn webhook_decode_reads_stdin() {
    let body = std::fs::read(fixture("mobile-gateway/webhooks/dlr_received.json")).unwrap();
    let o = waba()
        .args(["webhook", "decode", "--provider", "mobile-gateway", "-"])
        .write_stdin(body)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o).1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // Mobile Gateway's `received` is the common state `delivered`, its word kept beside it.
    assert_eq!(v["status"], "delivered");
    assert_eq!(v["raw_status"], "received");
}

/// A Cloud webhook body with `n` status events: more output than a pipe buffer holds.
fn many_statuses(n: usize) -> String {
    let statuses: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"id":"wamid.{i}","status":"delivered","timestamp":"1750000000","recipient_id":"16315551002"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"1"}},"statuses":[{}]}}}}]}}]}}"#,
        statuses.join(",")
    )
}

#[test]
fn a_closed_stdout_ends_quietly_instead_of_panicking() {
    let dir = tempdir("pipe");
    let body = dir.join("many.json");
    std::fs::write(&body, many_statuses(5000)).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("waba"))
        .args(["webhook", "decode", "--provider", "cloud"])
        .arg(&body)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, as `| head -1` does, then close the pipe.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains("wamid.0"), "{first}");
    drop(stdout);
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status.code(), Some(0), "{err}");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("waba-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `waba webhook listen` on a free port; returns once it listens.
fn listen(args: &[&str], stdout: Stdio) -> (Child, u16, BufReader<std::process::ChildStderr>) {
    let port = free_port();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("waba"))
        .args(["webhook", "listen", "--port", &port.to_string()])
        .args(args)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "listen ended");
        if line.starts_with("listening on") {
            break;
        }
    }
    (child, port, stderr)
}

/// POSTs `body` with `headers`; the response's status code.
fn post(port: u16, path: &str, headers: &[(&str, &str)], body: &str) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        let _ = write!(req, "{k}: {v}\r\n");
    }
    req.push_str("\r\n");
    req.push_str(body);
    // A listener may answer (413) and close before reading all of a large body.
    let _ = s.write_all(req.as_bytes());
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn listen_does_not_acknowledge_events_it_could_not_print() {
    let (mut child, port, _stderr) = listen(&["--provider", "cloud", "--insecure"], Stdio::piped());
    drop(child.stdout.take());
    let code = post(port, "/", &[], &many_statuses(1));
    assert_eq!(code, 503, "an unprinted event is not acknowledged");
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "a closed stdout ends the listener quietly"
    );
}

#[test]
fn listen_logs_rejections_and_checks_headers_credentials_and_path() {
    // Tujenge's configured headers.
    let (child, port, mut stderr) = listen(
        &[
            "--provider",
            "tujenge",
            "--path",
            "/hooks/wa",
            "--header",
            "X-Hook-Key: s3cret",
        ],
        Stdio::null(),
    );
    let body = std::fs::read_to_string(fixture("onprem/webhooks/location.json")).unwrap();
    assert_eq!(post(port, "/hooks/wa", &[], &body), 401);
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(
        line.starts_with("rejected POST /hooks/wa from 127.0.0.1:"),
        "{line}"
    );
    assert!(line.contains("401"), "{line}");
    assert_eq!(
        post(port, "/hooks/wa", &[("x-hook-key", "s3cret")], &body),
        200
    );
    assert_eq!(post(port, "/", &[("x-hook-key", "s3cret")], &body), 404);
    line.clear();
    stderr.read_line(&mut line).unwrap();
    assert!(line.contains("404"), "{line}");
    let huge = format!("{{\"pad\":\"{}\"}}", "x".repeat(2 * 1024 * 1024));
    assert_eq!(
        post(port, "/hooks/wa", &[("x-hook-key", "s3cret")], &huge),
        413
    );
    line.clear();
    stderr.read_line(&mut line).unwrap();
    assert!(line.contains("413"), "{line}");
    stop(child);

    // EnableX's Basic credentials.
    let (child, port, _) = listen(
        &["--provider", "enablex", "--basic", "hook:pw"],
        Stdio::null(),
    );
    assert_eq!(
        post(
            port,
            "/",
            &[("authorization", "Basic aG9vazp3cm9uZw==")],
            "{}"
        ),
        401
    );
    stop(child);

    // Unverified: a warning at start-up.
    let port = free_port();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("waba"))
        .args([
            "webhook",
            "listen",
            "--provider",
            "onprem",
            "--port",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(
        line.starts_with("warning: webhooks are not verified"),
        "{line}"
    );
    assert!(line.contains("--header"), "{line}");
    stop(child);
}

#[test]
fn sandbox_prints_json_on_stdout_its_banner_on_stderr_and_ready_configurations() {
    let spawn = |args: &[&str]| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("waba"))
            .arg("sandbox")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut child = spawn(&[]);
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert!(
        info["providers"]["cloud"]["access_token"].is_string(),
        "{line}"
    );
    stop(child);

    let mut child = spawn(&["--print-config", "enablex", "--format", "env"]);
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    for _ in 0..4 {
        let mut l = String::new();
        out.read_line(&mut l).unwrap();
        lines.push(l);
    }
    stop(child);
    assert_eq!(lines[0], "export WABA_PROVIDER='enablex'\n");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("export WABA_ENABLEX_APP_ID='")),
        "{lines:?}"
    );

    // The TOML form is a configuration the CLI sends with.
    let s = Running::start();
    let dir = tempdir("sandbox-toml");
    let mut child = spawn(&["--print-config", "cloud"]);
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut toml = String::new();
    while !toml.contains("api_version") {
        assert!(out.read_line(&mut toml).unwrap() > 0, "{toml}");
    }
    stop(child);
    // Point it at this test's sandbox, which outlives the child.
    let toml = toml.lines().map(|l| {
        if l.starts_with("base_url") {
            format!("base_url = \"{}/cloud\"", s.base_url())
        } else {
            l.to_owned()
        }
    });
    let file = dir.join("waba.toml");
    std::fs::write(&file, toml.collect::<Vec<_>>().join("\n")).unwrap();
    let o = waba()
        .arg("--config")
        .arg(&file)
        .args(["send", "--to", CUSTOMER, "--template", "hello_world"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o).1);
}

#[test]
fn sandbox_inbound_plays_a_customer_message() {
    let s = Running::start();
    let o = waba()
        .args(["sandbox", "inbound", "--url", &s.base_url()])
        .args([
            "--provider",
            "enablex",
            "--from",
            "+16315557777",
            "--text",
            "hello?",
        ])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let stored = s.handle.message(out.trim()).unwrap();
    assert_eq!(stored.direction, "inbound");
    assert_eq!(stored.customer, "16315557777");
    // The window is open now: a text to that customer goes out.
    let o = s
        .cli("enablex")
        .args(["send", "--to", "+16315557777", "--text", "hi there"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o).1);

    let o = waba()
        .args([
            "sandbox",
            "inbound",
            "--url",
            &format!("http://127.0.0.1:{}", free_port()),
        ])
        .args(["--provider", "cloud", "--from", CUSTOMER, "--text", "x"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(75), "{}", text(&o).1);
}

/// `config check` makes one authenticated call for every provider: the sandbox's credentials
/// are accepted (exit 0), wrong ones refused (77). EnableX used to be "not checked" although
/// its template list is a read-only authenticated call.
#[test]
fn config_check_proves_every_providers_credentials() {
    let s = Running::start();
    for provider in PROVIDERS {
        let o = s.cli(provider).args(["config", "check"]).output().unwrap();
        let (out, err) = text(&o);
        assert!(o.status.success(), "{provider}: {out}{err}");
        assert!(out.contains("credentials accepted"), "{provider}: {out}");

        let spec = waba::spec(provider).unwrap();
        let mut wrong = s.cli(provider);
        for key in spec.keys.iter().filter(|k| k.secret) {
            wrong.env(spec.env_var(key), "wrong-secret");
        }
        let o = wrong.args(["config", "check"]).output().unwrap();
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(77), "{provider}: {out}{err}");
        assert!(out.contains("credentials refused"), "{provider}: {out}");
    }
}

/// `webhook listen` with no provider and no credential flags takes both from the
/// configuration: the provider, and its webhook keys verify requests (before, `--provider`
/// was required and a configured `app_secret` was ignored).
#[test]
fn listen_takes_provider_and_webhook_keys_from_the_configuration() {
    let dir = std::env::temp_dir().join(format!("waba-listen-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("waba.toml");
    std::fs::write(
        &file,
        "provider = \"cloud\"\n[cloud]\naccess_token = \"t\"\nphone_number_id = \"1\"\napp_secret = \"s3cret\"\n",
    )
    .unwrap();
    let (child, port, _stderr) = listen(&["--config", file.to_str().unwrap()], Stdio::null());
    let body = many_statuses(1);
    assert_eq!(post(port, "/", &[], &body), 401, "unsigned: refused");
    let signature = waba::webhook::HubSignature::new("s3cret")
        .unwrap()
        .sign(body.as_bytes());
    assert_eq!(
        post(port, "/", &[("x-hub-signature-256", &signature)], &body),
        200,
        "signed with the configured app secret"
    );
    stop(child);

    // `--provider` picks another provider: its own section's keys apply, not nothing.
    std::fs::write(
        &file,
        "provider = \"cloud\"\n[cloud]\naccess_token = \"t\"\nphone_number_id = \"1\"\nverify_token = \"vt\"\n[onprem]\nwebhook_headers = \"X-A: 1\"\n",
    )
    .unwrap();
    let (child, port, _stderr) = listen(
        &["--config", file.to_str().unwrap(), "--provider", "onprem"],
        Stdio::null(),
    );
    let body = std::fs::read_to_string(fixture("onprem/webhooks/location.json")).unwrap();
    assert_eq!(
        post(port, "/", &[], &body),
        401,
        "onprem's configured header is required"
    );
    assert_eq!(post(port, "/", &[("X-A", "1")], &body), 200);
    stop(child);

    // A flag replaces the secret, not the configured verify token.
    let (child, port, _stderr) = listen(
        &["--config", file.to_str().unwrap(), "--secret", "other"],
        Stdio::null(),
    );
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET /?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=42 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("42"), "{answer}");
    stop(child);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A server that answers every request with `status` and `body`, `n` times, on a free port.
fn answering(status: &'static str, body: &'static str, n: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(n) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0_u8; 8192];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

/// An outage or a page that is not the provider's API proves nothing about the credentials
/// (before, `config check` said "credentials accepted" and exit 0 for a 503 or a 404 page).
#[test]
fn config_check_does_not_take_an_outage_or_a_wrong_url_for_accepted_credentials() {
    for (status, body, code, says) in [
        ("503 Service Unavailable", "down", 75, "unavailable"),
        (
            "200 OK",
            "<html>not an API</html>",
            78,
            "check the base URL",
        ),
    ] {
        let port = answering(status, body, 10);
        let o = waba()
            .env("WABA_PROVIDER", "cloud")
            .env("WABA_CLOUD_ACCESS_TOKEN", "t")
            .env("WABA_CLOUD_PHONE_NUMBER_ID", "1")
            .env("WABA_CLOUD_BASE_URL", format!("http://127.0.0.1:{port}"))
            .env("WABA_RETRY_ATTEMPTS", "1")
            .args(["config", "check"])
            .output()
            .unwrap();
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(code), "{status}: {out}{err}");
        assert!(out.contains(says), "{status}: {out}");
        assert!(!out.contains("credentials accepted"), "{status}: {out}");
    }
}
