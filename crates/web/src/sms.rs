//! Text messages through a gateway behind one trait. `log` writes each message to a file in the
//! outbox folder (a demo provider, labelled as such wherever it is shown: nothing is sent);
//! `tencent` speaks Tencent Cloud SMS API 3.0 (`SendSms`, version 2021-01-11) with its published
//! TC3-HMAC-SHA256 request signing, tested against the vendor's example vector and a local mock
//! server. Chosen by configuration (`Config::sms`).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

/// A message to one mobile number: a verification code and what it is for.
pub struct Message<'a> {
    pub mobile: &'a str,
    pub code: &'a str,
    /// What the code is for, in words (“找回密码”).
    pub purpose: &'a str,
}

pub type Sent<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// A gateway that sends text messages.
pub trait Sms: Send + Sync {
    fn send<'a>(&'a self, m: &'a Message<'a>) -> Sent<'a>;
    /// A notice from the message centre (a hand-off, a reminder) to one number.
    fn notice<'a>(&'a self, mobile: &'a str, text: &'a str) -> Sent<'a>;
    /// Whether messages only go to the demo outbox (nothing is really sent).
    fn is_demo(&self) -> bool {
        false
    }
}

/// Which gateway, from configuration.
#[derive(Clone, Debug)]
pub enum SmsConfig {
    /// The demo outbox: one file per message in this folder.
    Log(PathBuf),
    Tencent(TencentConfig),
}

impl Default for SmsConfig {
    fn default() -> Self {
        SmsConfig::Log(std::env::temp_dir().join(format!("erjian-outbox-{}-{:x}", std::process::id(), rand::random::<u32>())))
    }
}

impl SmsConfig {
    pub fn gateway(&self) -> std::sync::Arc<dyn Sms> {
        match self {
            SmsConfig::Log(dir) => std::sync::Arc::new(LogSms { dir: dir.clone() }),
            SmsConfig::Tencent(c) => std::sync::Arc::new(TencentSms { config: c.clone(), http: reqwest::Client::new() }),
        }
    }
}

/// The demo provider: writes each message to `DIR/时间-号码.txt`.
pub struct LogSms {
    pub dir: PathBuf,
}

impl LogSms {
    /// The newest messages, newest first: (file name, text).
    pub fn outbox(dir: &std::path::Path, at_most: usize) -> Vec<(String, String)> {
        let mut files: Vec<_> = std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        files.sort();
        files.reverse();
        files
            .into_iter()
            .take(at_most)
            .filter_map(|p| Some((p.file_name()?.to_string_lossy().into_owned(), std::fs::read_to_string(&p).ok()?)))
            .collect()
    }
}

impl LogSms {
    fn write(&self, mobile: &str, text: &str) -> Result<(), String> {
        {
            std::fs::create_dir_all(&self.dir).map_err(|e| e.to_string())?;
            // File names carry the numbers: the folder is the server user's alone.
            #[cfg(unix)]
            std::fs::set_permissions(&self.dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).map_err(|e| e.to_string())?;
            let now = chrono::Utc::now();
            let name = format!("{}-{:09}-{}.txt", now.format("%Y%m%d%H%M%S"), now.timestamp_subsec_nanos(), mobile);
            // Codes and numbers: readable by the server's user only.
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut file = opts.open(self.dir.join(name)).map_err(|e| e.to_string())?;
            std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| e.to_string())
        }
    }
}

impl Sms for LogSms {
    fn send<'a>(&'a self, m: &'a Message<'a>) -> Sent<'a> {
        Box::pin(async move {
            let text = format!("【演示短信，未真正发送】发往 {}：您的{}验证码为 {}，5分钟内有效。", m.mobile, m.purpose, m.code);
            self.write(m.mobile, &text)
        })
    }

    fn notice<'a>(&'a self, mobile: &'a str, text: &'a str) -> Sent<'a> {
        Box::pin(async move { self.write(mobile, &format!("【演示短信，未真正发送】发往 {mobile}：{text}")) })
    }

    fn is_demo(&self) -> bool {
        true
    }
}

/// Tencent Cloud SMS settings (environment `ERJIAN_SMS_TENCENT_*`).
#[derive(Clone, Debug)]
pub struct TencentConfig {
    pub secret_id: String,
    pub secret_key: String,
    pub sdk_app_id: String,
    pub sign_name: String,
    pub template_id: String,
    /// The approved template for notices (one parameter: the text), if configured; without it
    /// notices are not texted (they stay in the message centre).
    pub notice_template_id: Option<String>,
    pub region: String,
    /// `https://sms.tencentcloudapi.com` in production; a local mock in tests.
    pub endpoint: String,
}

/// One TC3-HMAC-SHA256 signing, as Tencent Cloud API 3.0 defines it.
pub struct Tc3<'a> {
    pub secret_id: &'a str,
    pub secret_key: &'a str,
    pub service: &'a str,
    pub host: &'a str,
    /// Extra signed header after content-type and host (`x-tc-action:sendsms`), if any.
    pub action: Option<&'a str>,
    pub timestamp: i64,
    pub payload: &'a [u8],
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key");
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

impl Tc3<'_> {
    fn signed_headers(&self) -> &'static str {
        if self.action.is_some() {
            "content-type;host;x-tc-action"
        } else {
            "content-type;host"
        }
    }

    pub fn canonical_request(&self) -> String {
        let action = self.action.map(|a| format!("x-tc-action:{}\n", a.to_lowercase())).unwrap_or_default();
        format!(
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:{}\n{action}\n{}\n{}",
            self.host,
            self.signed_headers(),
            sha256_hex(self.payload)
        )
    }

    fn date(&self) -> String {
        chrono::DateTime::from_timestamp(self.timestamp, 0).unwrap_or_default().format("%Y-%m-%d").to_string()
    }

    pub fn string_to_sign(&self) -> String {
        let scope = format!("{}/{}/tc3_request", self.date(), self.service);
        format!("TC3-HMAC-SHA256\n{}\n{scope}\n{}", self.timestamp, sha256_hex(self.canonical_request().as_bytes()))
    }

    pub fn authorization(&self) -> String {
        let secret_date = hmac(format!("TC3{}", self.secret_key).as_bytes(), self.date().as_bytes());
        let secret_service = hmac(&secret_date, self.service.as_bytes());
        let secret_signing = hmac(&secret_service, b"tc3_request");
        let signature = hex::encode(hmac(&secret_signing, self.string_to_sign().as_bytes()));
        format!(
            "TC3-HMAC-SHA256 Credential={}/{}/{}/tc3_request, SignedHeaders={}, Signature={signature}",
            self.secret_id,
            self.date(),
            self.service,
            self.signed_headers()
        )
    }
}

pub struct TencentSms {
    pub config: TencentConfig,
    pub http: reqwest::Client,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct SendSms<'a> {
    phone_number_set: [String; 1],
    sms_sdk_app_id: &'a str,
    sign_name: &'a str,
    template_id: &'a str,
    template_param_set: Vec<&'a str>,
}

impl TencentSms {
    /// The request body and headers for one message at `timestamp`.
    pub fn request(&self, m: &Message<'_>, timestamp: i64) -> (Vec<u8>, Vec<(&'static str, String)>) {
        self.request_with(m.mobile, &self.config.template_id, vec![m.code, "5"], timestamp)
    }

    /// One `SendSms` of a template with its parameters.
    fn request_with(&self, mobile: &str, template_id: &str, params: Vec<&str>, timestamp: i64) -> (Vec<u8>, Vec<(&'static str, String)>) {
        let c = &self.config;
        let body = serde_json::to_vec(&SendSms {
            phone_number_set: [format!("+86{mobile}")],
            sms_sdk_app_id: &c.sdk_app_id,
            sign_name: &c.sign_name,
            template_id,
            template_param_set: params,
        })
        .unwrap_or_default();
        let host = "sms.tencentcloudapi.com";
        let auth = Tc3 {
            secret_id: &c.secret_id,
            secret_key: &c.secret_key,
            service: "sms",
            host,
            action: Some("SendSms"),
            timestamp,
            payload: &body,
        }
        .authorization();
        let headers = vec![
            ("Authorization", auth),
            ("Content-Type", "application/json; charset=utf-8".to_owned()),
            ("Host", host.to_owned()),
            ("X-TC-Action", "SendSms".to_owned()),
            ("X-TC-Timestamp", timestamp.to_string()),
            ("X-TC-Version", "2021-01-11".to_owned()),
            ("X-TC-Region", c.region.clone()),
        ];
        (body, headers)
    }
}

impl Sms for TencentSms {
    fn send<'a>(&'a self, m: &'a Message<'a>) -> Sent<'a> {
        Box::pin(async move { self.post(self.request(m, chrono::Utc::now().timestamp())).await })
    }

    fn notice<'a>(&'a self, mobile: &'a str, text: &'a str) -> Sent<'a> {
        Box::pin(async move {
            let template =
                self.config.notice_template_id.as_deref().ok_or("未配置通知短信模板（ERJIAN_SMS_TENCENT_NOTICE_TEMPLATE_ID）")?;
            self.post(self.request_with(mobile, template, vec![text], chrono::Utc::now().timestamp())).await
        })
    }
}

impl TencentSms {
    async fn post(&self, (body, headers): (Vec<u8>, Vec<(&'static str, String)>)) -> Result<(), String> {
        {
            let mut req = self.http.post(&self.config.endpoint).body(body).timeout(std::time::Duration::from_secs(10));
            for (k, v) in headers {
                // reqwest sets Host from the URL; the signed host is the vendor's.
                if k != "Host" {
                    req = req.header(k, v);
                }
            }
            let answer: serde_json::Value = req
                .send()
                .await
                .map_err(|e| format!("短信网关不可达：{e}"))?
                .json()
                .await
                .map_err(|e| format!("短信网关应答无法解析：{e}"))?;
            let status = &answer["Response"]["SendStatusSet"][0];
            match (answer["Response"]["Error"]["Code"].as_str(), status["Code"].as_str()) {
                (None, Some("Ok")) => Ok(()),
                (Some(code), _) => Err(format!("短信网关拒绝：{code}")),
                (_, other) => Err(format!("短信未发出：{}", other.unwrap_or("未知"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tencent Cloud's published example for API 3.0 signing (DescribeInstances, 2019-02-25,
    /// keys as printed in the documentation): every intermediate value and the signature.
    #[test]
    fn tc3_matches_the_vendor_example() {
        let t = Tc3 {
            secret_id: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
            secret_key: "Gu5t9xGARNpq86cd98joQYCN3*******",
            service: "cvm",
            host: "cvm.tencentcloudapi.com",
            action: None,
            timestamp: 1_551_113_065,
            payload: br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#,
        };
        assert_eq!(
            t.canonical_request(),
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        assert_eq!(
            t.string_to_sign(),
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        assert_eq!(
            t.authorization(),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
        );
    }
}
