//! `erjian backup --out FILE`, `erjian restore --from FILE` and `erjian certificate verify-all`:
//! a backup, its restore, and the drill's last step — every stored certificate opened and its
//! seal verified against the deployment's root. SQLite is copied online (`VACUUM INTO`) and
//! checked; PostgreSQL goes through `pg_dump --format=custom` / `pg_restore`, the documented
//! tools, which must be installed (Debian: `postgresql-client`). The master key is never in a
//! backup: keep it apart; a restore needs the same key.

use anyhow::{bail, Context};
use erjian_store::backup::{check_sqlite_file, FileCheck};
use erjian_store::certificates::Issuer;
use erjian_store::Store;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What a backup or restore reports.
#[derive(Debug, serde::Serialize)]
pub struct Done {
    pub file: PathBuf,
    pub bytes: u64,
    /// SQLite only: the copy's check.
    pub check: Option<FileCheck>,
}

fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    Some(PathBuf::from(rest.split('?').next().unwrap_or(rest)))
}

fn run(cmd: &mut Command, what: &str) -> anyhow::Result<()> {
    let out =
        cmd.output().with_context(|| format!("无法运行 {what}：请安装 PostgreSQL 客户端（Debian: apt install postgresql-client）"))?;
    if !out.status.success() {
        bail!("{what} 失败：{}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

pub async fn backup(url: &str, out: &Path) -> anyhow::Result<Done> {
    if out.exists() {
        bail!("{} 已存在：备份不覆盖已有文件", out.display());
    }
    let check = if sqlite_path(url).is_some() {
        let store = Store::connect(url).await?;
        let check = store.backup_sqlite(out).await?;
        store.close().await;
        if !check.ok() {
            bail!("备份文件校验未通过：{}", check.integrity);
        }
        Some(check)
    } else {
        run(Command::new("pg_dump").args(["--format=custom", "--no-owner", "--file"]).arg(out).arg(url), "pg_dump")?;
        None
    };
    restrict(out)?;
    Ok(Done { file: out.to_owned(), bytes: std::fs::metadata(out)?.len(), check })
}

pub async fn restore(url: &str, from: &Path, force: bool) -> anyhow::Result<Done> {
    let bytes = std::fs::metadata(from).with_context(|| format!("找不到备份文件 {}", from.display()))?.len();
    if let Some(target) = sqlite_path(url) {
        let check = check_sqlite_file(from)?;
        if !check.ok() {
            bail!("备份文件校验未通过：{}", check.integrity);
        }
        let occupied = std::fs::metadata(&target).map(|m| m.len() > 0).unwrap_or(false);
        if occupied && !force {
            bail!("{} 已有数据：确认要以备份覆盖时加 --force（请先停止服务）", target.display());
        }
        let tmp = target.with_extension("restoring");
        std::fs::copy(from, &tmp).with_context(|| format!("无法写入 {}", tmp.display()))?;
        restrict(&tmp)?;
        for side in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{side}", target.display()));
        }
        std::fs::rename(&tmp, &target)?;
        // Opening runs any migrations a newer erjian has, so the restored database is current.
        Store::connect(url).await?.close().await;
        return Ok(Done { file: target, bytes, check: Some(check) });
    }
    let mut cmd = Command::new("pg_restore");
    cmd.args(["--no-owner", "--exit-on-error"]);
    if force {
        cmd.args(["--clean", "--if-exists"]);
    }
    run(cmd.arg("--dbname").arg(url).arg(from), "pg_restore")?;
    Store::connect(url).await?.close().await;
    Ok(Done { file: from.to_owned(), bytes, check: None })
}

fn restrict(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

/// The result of checking every certificate.
#[derive(Debug, serde::Serialize)]
pub struct Verified {
    pub checked: u64,
    pub valid: u64,
    /// Certificate numbers whose file did not verify, with why.
    pub failed: Vec<(String, String)>,
}

/// One stored file: a sealed OFD, its seal valid under the root, naming its own record's
/// e-licence identifier (a valid file of another certificate in its place is caught).
fn check_file(f: &erjian_store::backup::StoredFile, opts: &erjian_ofd::seal::VerifyOptions) -> Result<(), String> {
    let pkg = erjian_ofd::Package::from_bytes(&f.file).map_err(|e| format!("不是可读的 OFD 文件（{e}）"))?;
    let report = erjian_ofd::seal::verify(&pkg, opts).map_err(|e| e.to_string())?;
    if !report.all_valid() {
        return Err("电子印章验证未通过".into());
    }
    let info = erjian_ofd::reader::read(&pkg).map_err(|e| e.to_string())?;
    let named = info.metadata.custom.iter().find(|(k, _)| k == "证照标识").map(|(_, v)| v.as_str());
    if named != Some(f.licence_id.as_str()) {
        return Err(format!("文件中的证照标识（{}）与证书记录不符", named.unwrap_or("无")));
    }
    Ok(())
}

/// Opens every stored certificate and verifies its seal against the deployment's root.
pub async fn verify_all(store: &Store, issuer: &Issuer) -> anyhow::Result<Verified> {
    let opts = erjian_ofd::seal::VerifyOptions { now: None, trusted_roots: vec![issuer.authority.root()] };
    let mut v = Verified { checked: 0, valid: 0, failed: vec![] };
    let mut after = 0;
    loop {
        let page = store.certificate_files_after(after, 200).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for f in page {
            v.checked += 1;
            match check_file(&f, &opts) {
                Ok(()) => v.valid += 1,
                Err(why) => v.failed.push((f.certificate_no, why)),
            }
        }
    }
    Ok(v)
}

/// Prints what a backup wrote.
pub fn report_backup(done: &Done, json: bool) -> anyhow::Result<()> {
    if json {
        say!("{}", serde_json::to_string_pretty(done)?);
        return Ok(());
    }
    let check = match &done.check {
        Some(c) => format!("；校验通过：证书 {} 份、注册 {} 条、申请 {} 件", c.certificates, c.registrations, c.applications),
        None => String::new(),
    };
    say!("已备份到 {}（{} 字节）{check}", done.file.display(), done.bytes);
    say!("主密钥不在备份中：请另行妥善保管，恢复时须使用同一主密钥");
    Ok(())
}

/// Prints the check of every certificate; true when all verified.
pub fn report_verified(v: &Verified, json: bool) -> anyhow::Result<bool> {
    if json {
        say!("{}", serde_json::to_string_pretty(v)?);
    } else {
        say!("已核验 {} 份证书：{} 份电子印章有效，{} 份未通过", v.checked, v.valid, v.failed.len());
        for (no, why) in &v.failed {
            say!("  {no}：{why}");
        }
    }
    Ok(v.failed.is_empty())
}
