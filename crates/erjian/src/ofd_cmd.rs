//! `erjian ofd info|verify|render` and `erjian certificate export`.

use anyhow::Context;
use erjian_ofd::seal::{verify, Verdict, VerifyOptions};
use erjian_ofd::Package;
use erjian_store::Store;
use std::path::Path;

fn open(file: &Path) -> anyhow::Result<Package> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    Ok(Package::from_bytes(&bytes)?)
}

/// Draws each page once into a scene, then that scene to `page-N.png` and all of them to
/// `document.pdf`; says what could not be drawn.
pub fn render(file: &Path, out: &Path, dpi: f32) -> anyhow::Result<()> {
    let pkg = open(file)?;
    let limits = erjian_render::Limits::default();
    let doc = erjian_render::Document::open(&pkg, limits.clone())?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let scenes = doc.scenes()?;
    let dpi = erjian_render::clamp_dpi(dpi);
    for (i, scene) in scenes.iter().enumerate() {
        let path = out.join(format!("page-{}.png", i + 1));
        std::fs::write(&path, erjian_render::raster::png(scene, dpi, &limits)?)?;
        println!("第 {} 页：{}（{:.0}×{:.0} 毫米，{dpi} dpi）", i + 1, path.display(), scene.width_mm, scene.height_mm);
        for n in &scene.notes {
            println!("  未能绘制：{n}");
        }
    }
    if doc.page_count() > scenes.len() {
        println!("只绘制了前 {} 页（共 {} 页）", scenes.len(), doc.page_count());
    }
    let pdf = out.join("document.pdf");
    std::fs::write(&pdf, erjian_render::pdf::pdf(&scenes)?)?;
    println!("PDF：{}", pdf.display());
    Ok(())
}

pub fn info(file: &Path, json: bool) -> anyhow::Result<()> {
    let doc = erjian_ofd::reader::read(&open(file)?)?;
    if json {
        say!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    let m = &doc.metadata;
    say!("文档：{}  DocID {}  创建 {}", m.title, m.doc_id, m.creation_date);
    for (k, v) in &m.custom {
        say!("  {k}：{v}");
    }
    for (i, p) in doc.pages.iter().enumerate() {
        say!("第{}页 {}×{} mm：{} 段文字，{} 幅图片，{} 个图形", i + 1, p.width, p.height, p.texts.len(), p.images.len(), p.paths);
        for t in &p.texts {
            say!("  ({:.1}, {:.1}) {}", t.x, t.y, t.text);
        }
        for im in &p.images {
            say!("  图片 {} {} 字节 @ ({:.1}, {:.1}) {:.1}×{:.1}", im.format, im.bytes, im.x, im.y, im.w, im.h);
        }
    }
    for s in &doc.signatures {
        say!("签章 {}（{}）：{}", s.id, s.kind, s.location);
    }
    if let Some(list) = &doc.missing_signature_list {
        say!("签章列表缺失：文档声明已签章（{list}），但文件中没有该签章列表，签章已被删除或文件不完整，无法核验");
    }
    Ok(())
}

/// Verifies every signature; `Ok(true)` only when all are valid. With `trust_db`, the signer
/// certificate must chain to the deployment root stored in that database.
pub async fn verify_file(file: &Path, json: bool, trust_db: Option<&str>) -> anyhow::Result<bool> {
    let pkg = open(file)?;
    let mut opts = VerifyOptions::default();
    if let Some(url) = trust_db {
        let store = Store::connect(url).await?;
        let roots: Vec<(Vec<u8>,)> = sqlx::query_as("SELECT root_cert FROM deployment_keys").fetch_all(store.pool()).await?;
        anyhow::ensure!(!roots.is_empty(), "the database has no deployment root yet");
        opts.trusted_roots = roots.iter().map(|r| erjian_ofd::crypto::parse_certificate(&r.0)).collect::<Result<_, _>>()?;
    }
    let report = verify(&pkg, &opts)?;
    if json {
        say!("{}", serde_json::to_string_pretty(&report)?);
    } else if let Some(missing) = report.list_problems.iter().find(|c| c.name == erjian_ofd::seal::MISSING_SIGNATURE_LIST) {
        say!("签章列表缺失：文档声明已签章（{}），但文件中没有该签章列表，验证未通过", missing.file.as_deref().unwrap_or("-"));
    } else if report.signatures.is_empty() {
        say!("文件中没有签章");
    }
    if !json {
        for s in &report.signatures {
            let verdict = match s.verdict {
                Verdict::Valid => "有效",
                Verdict::OutsideValidity => "文件完整，但签章时证书或印章不在有效期内",
                Verdict::Invalid => "无效",
                Verdict::NotVerifiable => "无法验证（无证书的数字签名）",
            };
            let format = match s.format {
                erjian_ofd::seal::FORMAT_SES_V4 => "电子印章 SES v4（GB/T 38540）",
                erjian_ofd::seal::FORMAT_SES_V1 => "电子印章 SES v1（GM/T 0031-2014）",
                erjian_ofd::seal::FORMAT_PKCS7 => "数字签名 PKCS#7（GM/T 0010）",
                erjian_ofd::seal::FORMAT_BARE => "裸 SM2 签名值",
                _ => "无法识别的签名值",
            };
            say!(
                "签章 {} {}【{format}】：{}  {}",
                s.id,
                s.seal_name.as_deref().or(s.signer.as_deref()).unwrap_or(&s.kind),
                verdict,
                s.signed_at.map(|t| t.to_string()).unwrap_or_default()
            );
            for c in s.failed() {
                say!("  ✗ {} [{}]：{}", c.name, c.file.as_deref().unwrap_or("-"), c.detail);
            }
            for w in &s.warnings {
                say!("  ! {w}");
            }
        }
        for p in &report.list_problems {
            say!("签章列表无效 [{}]：{}", p.file.as_deref().unwrap_or("-"), p.detail);
        }
    }
    Ok(report.all_valid())
}

pub async fn export(url: &str, master: &[u8], regno: &str, out: &Path, format: &str) -> anyhow::Result<()> {
    let store = Store::connect(url).await?.with_master_key(master).await?;
    let (cert, ofd) = store.current_certificate(regno).await?.with_context(|| format!("注册编号 {regno} 没有有效的电子证书"))?;
    let bytes = match format {
        "ofd" => ofd,
        "pdf" => {
            let face = store.certificate_face(cert.id).await?;
            erjian_cert::pdf::certificate_pdf(&face.issuer, &face)?
        }
        other => anyhow::bail!("unknown format {other} (ofd or pdf)"),
    };
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    say!("已导出 {}（证书编号 {}，{} 字节）", out.display(), cert.certificate_no, bytes.len());
    Ok(())
}
