//! One conclusion, stated first, on every verification answer (the QR status page and its JSON,
//! the file check): 有效, 已失效 (with why), 可能伪造 (with what failed), or 无法核验 (with what to do
//! instead). Every other line on the page explains it; none contradicts it.

use crate::check::{Live, StatementCheck};
use crate::usage::CopyCheck;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Conclusion {
    /// `valid`, `invalid`, `forged` or `unverifiable`.
    pub code: &'static str,
    /// 有效 / 已失效 / 可能伪造 / 无法核验.
    pub headline: &'static str,
    pub why: String,
}

impl Conclusion {
    pub fn valid(why: impl Into<String>) -> Conclusion {
        Conclusion { code: "valid", headline: "有效", why: why.into() }
    }
    pub fn invalid(why: impl Into<String>) -> Conclusion {
        Conclusion { code: "invalid", headline: "已失效", why: why.into() }
    }
    pub fn forged(why: impl Into<String>) -> Conclusion {
        Conclusion { code: "forged", headline: "可能伪造", why: why.into() }
    }
    pub fn unverifiable(why: impl Into<String>) -> Conclusion {
        Conclusion { code: "unverifiable", headline: "无法核验", why: why.into() }
    }

    /// The alert's tone on the page.
    pub fn tone(&self) -> &'static str {
        match self.code {
            "valid" => "ok",
            "unverifiable" => "warn",
            _ => "error",
        }
    }
}

/// Why a certificate is no longer in force, in one sentence.
fn lapsed(live: &Live) -> String {
    let mut why = format!("该证书{}", live.status_label);
    if let Some(r) = &live.status_reason {
        why.push_str(&format!("（{r}）"));
    }
    if live.current_licence_id.is_some() {
        why.push_str("，请以最新证书为准");
    }
    why
}

/// The QR page and its JSON: a signed statement that fails is a possible forgery whatever the
/// certificate's status; otherwise the live status (and a usage copy's own period) decides.
pub fn of_status(live: &Live, statement: Option<&StatementCheck>, copy: Option<&CopyCheck>) -> Conclusion {
    if let Some(s) = statement.filter(|s| !s.valid) {
        return Conclusion::forged(format!("二维码中的签名验证未通过（{}）：该二维码不是发证机关签发的，请勿采信", s.message));
    }
    if live.status != "valid" {
        return Conclusion::invalid(lapsed(live));
    }
    if let Some(c) = copy.filter(|c| !c.valid) {
        return Conclusion::invalid(format!("{}，不能再作为证明使用", c.label));
    }
    match (statement.is_some(), copy) {
        (_, Some(c)) => Conclusion::valid(format!("{}，有效期至 {}；证书当前有效", c.label, c.valid_until)),
        (true, None) => Conclusion::valid("二维码由发证机关签名，证书当前有效"),
        (false, None) => Conclusion::valid("证书当前有效（本页显示实时状态）"),
    }
}

/// The file check once the seal verified: the live status and a usage copy's period decide.
pub fn of_sealed_file(live: &Live, copy: Option<&CopyCheck>) -> Conclusion {
    if live.status != "valid" {
        return Conclusion::invalid(format!("电子印章有效，文件未被篡改；但{}", lapsed(live)));
    }
    match copy {
        Some(c) if !c.valid => Conclusion::invalid(format!("电子印章有效，文件未被篡改；但{}", c.label)),
        Some(c) => Conclusion::valid(format!("电子印章有效，文件未被篡改；{}（有效期至 {}），证书当前有效", c.label, c.valid_until)),
        None => Conclusion::valid("电子印章有效，文件未被篡改；证书当前有效"),
    }
}

/// What an uploaded PDF is told: it is for viewing and printing only.
pub const PDF_ONLY: &str =
    "PDF 文件仅供查看和打印，不能核验真伪。请上传电子证书的 OFD 文件（领取证书时下载的 .ofd 文件），或用手机扫描证书上的二维码查看实时状态";
