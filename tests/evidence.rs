//! Evidence bundles, read back by the readers an auditor has: `ssh-keygen -Y verify`
//! (OpenSSH, installed by the test set-up when missing) for the signature, and
//! `tomscan verify` for the digests and the verdicts. Every tamper is refused, naming
//! the file.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use support::run::Run;
use support::{Moto, seed};

fn run(args: &[&str], cwd: &Path) -> Run {
    support::run::tomscan(args).dir(cwd).run()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn project(rel: &str) -> String {
    support::project_dir().join(rel).display().to_string()
}

/// `tomscan verify BUNDLE [--key KEY]`: exit code and what it printed.
fn verify(bundle: &Path, key: Option<&Path>) -> (i32, String) {
    let mut args = vec!["verify".to_string(), bundle.display().to_string()];
    if let Some(key) = key {
        args.extend(["--key".into(), key.display().to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args, bundle.parent().unwrap());
    (out.code, format!("{}{}", out.stdout, out.stderr))
}

/// OpenSSH's own verifier: `ssh-keygen -Y verify` against an allowed_signers file
/// naming the key as `tomscan`.
fn ssh_keygen_verify(bundle: &Path, public_key: &Path) -> (bool, String) {
    let ssh_keygen = support::tools::command(&["ssh-keygen"], "openssh-client");
    let dir = tempfile::tempdir().unwrap();
    let signers = dir.path().join("allowed_signers");
    let key = std::fs::read_to_string(public_key).unwrap();
    std::fs::write(&signers, format!("tomscan {key}")).unwrap();
    let manifest = std::fs::File::open(bundle.join("manifest.json")).unwrap();
    let out = Command::new(ssh_keygen)
        .args(["-Y", "verify", "-f"])
        .arg(&signers)
        .args(["-I", "tomscan", "-n", "tomscan", "-s"])
        .arg(bundle.join("manifest.json.sig"))
        .stdin(Stdio::from(manifest))
        .output()
        .expect("run ssh-keygen");
    (
        out.status.success(),
        format!("{}{}", text(&out.stdout), text(&out.stderr)),
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A change a forger makes to a bundle.
type Tamper = Box<dyn FnOnce(&Path)>;

/// A copy of the bundle, changed by `tamper`, then verified against `key`.
fn tampered(
    bundle: &Path,
    key: Option<&Path>,
    name: &str,
    tamper: impl FnOnce(&Path),
) -> (i32, String) {
    let copy = bundle.parent().unwrap().join(format!("tampered-{name}"));
    copy_dir(bundle, &copy);
    tamper(&copy);
    verify(&copy, key)
}

fn edit_json(path: &Path, change: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    change(&mut v);
    std::fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

fn inventory_of(bundle: &Path) -> PathBuf {
    let dir = bundle.join("inventory");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .next()
        .expect("an inventory in the bundle")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_scan_bundle_verifies_with_ssh_keygen_and_tomscan_and_every_tamper_is_named() {
    let scenario = support::load_scenario(&support::scenario_path("noncompliant"));
    let moto = Moto::start_with(scenario.root.as_ref(), &[]);
    seed::seed(&moto, &scenario).await;
    let work = tempfile::tempdir().unwrap();
    let w = work.path();

    // A key pair; a second run refuses to overwrite it.
    let keygen = run(&["keygen", "scanner-key"], w);
    assert!(keygen.code == 0, "{}", keygen.stderr);
    let key = w.join("scanner-key");
    let public = w.join("scanner-key.pub");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the private key is the owner's alone");
    }
    let again = run(&["keygen", "scanner-key"], w);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);

    // The scan, with waivers and attestations, so the bundle holds every input.
    let bundle = w.join("evidence-2026-12-07");
    let scan = support::tomscan(
        &moto,
        &[
            "--region",
            "eu-west-1",
            "--waivers",
            &project("examples/waivers.toml"),
            "--attestations",
            &project("examples/attestations.toml"),
            "--evidence",
            &bundle.display().to_string(),
            "--sign-key",
            &key.display().to_string(),
        ],
    );
    assert!(scan.report.is_object(), "no report: {}", scan.stderr);
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(bundle.join("manifest.json")).unwrap())
            .unwrap();
    // The report written beside the bundle names it by its manifest's digest and key.
    let evidence = &scan.report["evidence"];
    assert_eq!(
        evidence["manifest_sha256"].as_str().unwrap(),
        tomscan::evidence::sha256_hex(&std::fs::read(bundle.join("manifest.json")).unwrap())
    );
    assert!(
        evidence["signed_by"]
            .as_str()
            .unwrap()
            .starts_with("SHA256:")
    );
    assert_eq!(manifest["signed_by"], evidence["signed_by"]);
    assert_eq!(manifest["caller"]["account"], "123456789012");
    assert!(
        manifest["waivers"]["path"].is_string() && manifest["attestations"]["path"].is_string()
    );

    // OpenSSH's verifier accepts the signature; tomscan verify accepts the bundle.
    let (ok, said) = ssh_keygen_verify(&bundle, &public);
    assert!(ok, "ssh-keygen -Y verify refused: {said}");
    assert!(said.contains("Good \"tomscan\" signature"), "{said}");
    let (code, said) = verify(&bundle, Some(&public));
    assert_eq!(code, 0, "{said}");
    for needle in [
        "verified",
        "every SHA-256",
        "valid SSH signature",
        "exactly what judging",
    ] {
        assert!(said.contains(needle), "{needle}: {said}");
    }
    // Without the key: verified but the signature is said unchecked.
    let (code, said) = verify(&bundle, None);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("not checked"), "{said}");

    // Each tamper is refused, naming the file.
    let cases: Vec<(&str, Tamper, &str)> = vec![
        (
            "report-status",
            Box::new(|b: &Path| fail_to_pass(&b.join("report.json"))),
            "report.json",
        ),
        (
            "inventory-fact",
            Box::new(|b: &Path| {
                edit_json(&inventory_of(b), |inv| {
                    inv["iam"]["password_policy"] = serde_json::json!({"ok": null});
                })
            }),
            "inventory/inventory-123456789012.json",
        ),
        (
            "file-deleted",
            Box::new(|b: &Path| std::fs::remove_file(b.join("inputs/waivers.toml")).unwrap()),
            "inputs/waivers.toml",
        ),
        (
            "file-added",
            Box::new(|b: &Path| std::fs::write(b.join("inventory/extra.json"), "{}").unwrap()),
            "inventory/extra.json",
        ),
        (
            "signature-truncated",
            Box::new(|b: &Path| {
                let sig = std::fs::read_to_string(b.join("manifest.json.sig")).unwrap();
                std::fs::write(b.join("manifest.json.sig"), &sig[..sig.len() / 2]).unwrap();
            }),
            "manifest.json.sig",
        ),
        (
            "newer-format",
            Box::new(|b: &Path| {
                edit_json(&b.join("manifest.json"), |m| m["bundle_format"] = 99.into())
            }),
            "manifest.json",
        ),
    ];
    for (name, tamper, file) in cases {
        let (code, said) = tampered(&bundle, Some(&public), name, tamper);
        assert_eq!(code, 1, "{name}: {said}");
        assert!(said.contains("does not verify"), "{name}: {said}");
        assert!(said.contains(file), "{name} should name {file}: {said}");
    }
    // A forger who rewrites the manifest's digests to match an edited report breaks the
    // signature; ssh-keygen refuses it too.
    let forged = w.join("forged");
    copy_dir(&bundle, &forged);
    forge_status(&forged);
    let (code, said) = verify(&forged, Some(&public));
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("manifest.json.sig"), "{said}");
    let (ok, said) = ssh_keygen_verify(&forged, &public);
    assert!(!ok, "ssh-keygen accepted a forged manifest: {said}");
    // Without the signature, the digests agree, but the verdicts do not follow from
    // the evidence: judging the inventory again catches the edited report.
    std::fs::remove_file(forged.join("manifest.json.sig")).unwrap();
    edit_json(&forged.join("manifest.json"), |m| {
        m["signed_by"] = Value::Null
    });
    let (code, said) = verify(&forged, None);
    assert_eq!(code, 1, "{said}");
    assert!(
        said.contains("report.json") && said.contains("do not follow"),
        "{said}"
    );
    // One finding each way, both named: the forged pass, and the fail it hides.
    let (_, example) = said.split_once("e.g. the report has ").expect(&said);
    let (forged_one, true_one) = example.split_once(", the evidence gives ").expect(&said);
    assert!(
        said.contains("1 finding(s) of the report are not what")
            && said.contains("and 1 of that are not in the report"),
        "{said}"
    );
    assert!(forged_one.contains(" pass ("), "{said}");
    assert!(true_one.contains(" fail ("), "{said}");
    assert_eq!(
        forged_one.split(" pass (").next(),
        true_one.split(" fail (").next(),
        "the same check and resource, judged both ways: {said}"
    );
    // Another key is not the signer.
    let other = run(&["keygen", "other-key"], w);
    assert!(other.code == 0);
    let (code, said) = verify(&bundle, Some(&w.join("other-key.pub")));
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("manifest.json.sig"), "{said}");
    let (ok, _) = ssh_keygen_verify(&bundle, &w.join("other-key.pub"));
    assert!(!ok, "ssh-keygen accepted another key");
    // A bundle is never overwritten.
    let again = support::tomscan(
        &moto,
        &[
            "--region",
            "eu-west-1",
            "--evidence",
            &bundle.display().to_string(),
        ],
    );
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
}

/// Turns the report's first failing finding into a pass.
fn fail_to_pass(report: &Path) {
    edit_json(report, |r| {
        let f = r["findings"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|f| f["status"] == "fail")
            .unwrap();
        f["status"] = "pass".into();
    });
}

/// [`fail_to_pass`], and the manifest's digest of report.json made to match the edit,
/// as a forger would.
fn forge_status(bundle: &Path) {
    fail_to_pass(&bundle.join("report.json"));
    let bytes = std::fs::read(bundle.join("report.json")).unwrap();
    edit_json(&bundle.join("manifest.json"), |m| {
        let entry = m["files"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|f| f["path"] == "report.json")
            .unwrap();
        entry["sha256"] = tomscan::evidence::sha256_hex(&bytes).into();
        entry["bytes"] = bytes.len().into();
    });
}

/// `tomscan evaluate --evidence`: the offline path bundles too, unsigned, and says so.
#[test]
fn an_evaluated_inventory_bundles_unsigned_and_verifies() {
    let work = tempfile::tempdir().unwrap();
    let bundle = work.path().join("bundle");
    let out = run(
        &[
            "evaluate",
            &project("mocks/inventories/demo.json"),
            "--attestations",
            &project("examples/attestations.toml"),
            "--evidence",
            &bundle.display().to_string(),
            "--format",
            "json",
        ],
        work.path(),
    );
    assert!(matches!(out.code, 0 | 3), "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(report["evidence"]["signed_by"].is_null());
    let (code, said) = verify(&bundle, None);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("unsigned bundle"), "{said}");
    // A key given for an unsigned bundle is a failure, not a pass.
    let keygen = run(&["keygen", "k"], work.path());
    assert!(keygen.code == 0);
    let (code, said) = verify(&bundle, Some(&work.path().join("k.pub")));
    assert_eq!(code, 1, "{said}");
    assert!(
        said.contains("manifest.json.sig") && said.contains("unsigned"),
        "{said}"
    );
    // The HTML report of the same run names the bundle on its first screen, as Chromium
    // renders it, so a printed page says which evidence it came from.
    let html_bundle = work.path().join("bundle-html");
    let page = work.path().join("report.html");
    let out = run(
        &[
            "evaluate",
            &project("mocks/inventories/demo.json"),
            "--evidence",
            &html_bundle.display().to_string(),
            "--format",
            "html",
            "--output",
            &page.display().to_string(),
        ],
        work.path(),
    );
    assert!(matches!(out.code, 0 | 3), "{}", out.stderr);
    let digest =
        tomscan::evidence::sha256_hex(&std::fs::read(html_bundle.join("manifest.json")).unwrap());
    let shown = support::browser::run_chrome(
        &format!("file://{}", page.display()),
        &["--dump-dom".into()],
    );
    assert!(
        shown
            .dom
            .contains(&format!("id=\"evidence-digest\">{digest}<")),
        "the page does not name the bundle's manifest {digest}"
    );
    assert!(shown.dom.contains("unsigned"));
    // The failure leaves nothing behind: a bundle path that exists is refused before
    // anything is judged, and no staging directory is left beside it.
    let again = run(
        &[
            "evaluate",
            &project("mocks/inventories/demo.json"),
            "--evidence",
            &bundle.display().to_string(),
        ],
        work.path(),
    );
    assert_eq!(again.code, 2);
    let leftovers: Vec<String> = std::fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tomscan-evidence"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
