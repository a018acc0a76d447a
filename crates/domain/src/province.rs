//! Province profiles: the settings that differ between provinces, kept as data (domain brief §11).
//!
//! A deployment serves one province. A profile is a JSON file: presets for 安徽, 甘肃, 湖南, 重庆 and
//! 上海 are published in `crates/domain/profiles/`, and a new province is a new file
//! (`erjian serve --profile-file FILE`), no code. Each names its cities (GB/T 2260 codes), its
//! authority and credit code, its publicity period, its signing order, who reviews
//! (`review_stages`: `city_then_province` or `province_only`) and its decision deadlines.

use crate::workflow::{ReviewStages, SigningOrder};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct City {
    pub code: &'static str,
    pub name: &'static str,
}

/// A consultation or support number the province publishes (on the home page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub label: &'static str,
    pub phone: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProvinceProfile {
    /// Two-digit GB/T 2260 code, e.g. `34`.
    pub code: &'static str,
    /// One-character abbreviation used in registration numbers, e.g. `皖`.
    pub abbr: &'static str,
    pub name: &'static str,
    pub authority_name: &'static str,
    /// The authority's unified social credit code (issuer of e-licences).
    pub authority_code: &'static str,
    /// Calendar days of publicity (公示) before announcement.
    pub publicity_days: i64,
    /// Who signs the application form first.
    pub signing_order: SigningOrder,
    /// Who accepts and reviews: city then province, or the province alone.
    pub review_stages: ReviewStages,
    /// Working days to decide after acceptance (initial, renewal, add specialty, re-registration).
    pub decision_days: u32,
    /// Working days to decide a change.
    pub change_decision_days: u32,
    /// Days an e-licence may be used before it needs annotation (证照加注), where the province
    /// has such a period (安徽: 180).
    pub licence_use_days: Option<u32>,
    /// Whether holders may exchange their certificate for the new version with a handwritten
    /// signature (换领新版电子证书, 上海).
    pub new_version_exchange: bool,
    /// When the new version of the certificate began, and from which day a certificate issued
    /// before it is no longer valid (上海 notice 一: “2022年6月27日起启用新版电子注册证书……同时原电子注册证书于
    /// 2023年6月1日失效”; 三(三): until then both have the same force).
    pub old_version: Option<OldVersion>,
    /// The longest period a holder may choose for a usage copy (使用件, 上海), where offered.
    pub usage_copy_max_days: Option<u32>,
    /// Whether a cancellation forced by the enterprise waits for the holder's confirmation
    /// (湖南); elsewhere it takes effect at once (甘肃: no confirmation).
    pub forced_cancellation_confirmation: bool,
    /// Whether a change of employer is done as cancellation plus re-registration through the
    /// new employer (甘肃) instead of a transfer the previous employer consents to.
    pub employer_change_by_reregistration: bool,
    /// Whether the enterprise may file an initial registration for a person (湖南: 企业申报),
    /// who then confirms by signing after the enterprise's seal.
    pub enterprise_files_initial: bool,
    /// When a person must pass a real-name (ID and face) check.
    pub real_name: RealNameRule,
    /// Authority and administrator accounts must sign in with a second factor.
    pub staff_second_factor: bool,
    /// Whether enterprises may download and print their people's certificates (甘肃: “企业用户可
    /// 登陆企业系统查看个人电子证书领取情况但不能打印”).
    pub enterprise_prints_certificates: bool,
    /// The public query's result offers the holder's photo (安徽's 人员信息查询中心: “查看照片”).
    pub query_shows_photo: bool,
    /// A change (变更: employer, personal data) takes effect when approved, without publicity
    /// (重庆: “变更注册自受理之日起3个工作日内办结”; “二级建造师注册申请批准后，新系统生成并颁发电子证书”).
    pub change_without_publicity: bool,
    /// An expired specialty is applied for again through 增项 (or 初始), not by cancelling first
    /// (甘肃 manual 5.3: “若专业有效期已过，请通过初始注册或增项注册进行申请”).
    pub expired_specialty_by_addition: bool,
    /// 遗失补办 is filed by the enterprise and reviewed like an application (湖南's 遗失补办申报),
    /// instead of the holder's immediate reissue.
    pub lost_reissue_reviewed: bool,
    /// A temporary constructor's change of employer is filed by the new enterprise, consented to
    /// by the old one and decided by the province alone (湖南 manual 3.2.3.9: “新单位发起二级临时建造师
    /// 变更数据后,原单位登录系统在该模块找到相应数据点同意转出。最后在由省厅进行审核。”).
    pub temporary_transfer_by_new_employer: bool,
    /// The professions registered here besides the constructor (上海 notice 二: “对符合要求的本市二级
    /// 注册人员初始注册、增项注册(仅限二级建造师)、延续注册颁发新版电子注册证书” — 二级注册建筑师 and
    /// 二级注册结构工程师 too); the constructor and the temporary constructor always.
    pub professions: &'static [&'static str],
    /// The wording of the form's two opinions: the standard declarations, or 甘肃's 申请人意见 and
    /// 聘用企业意见 (“本人……已按照相关法律规定，符合考试报名条件……同意该同志申报初始注册”).
    pub declarations: Declarations,
    /// Consultation and technical-support numbers, as the province publishes them (each seed
    /// names its own: 渝 “新系统使用技术咨询：023-63672107”, 沪 “962683” …).
    pub contacts: &'static [Contact],
    /// Which materials each kind of application asks for, and which are required (湖南:
    /// “企业把其他详细信息及附件材料补充完整后在点上报”); kinds not listed offer their defaults.
    pub materials: &'static [crate::materials::MaterialRule],
    pub cities: &'static [City],
}

/// The profile files published with erjian (`crates/domain/profiles/*.json`).
const PRESET_FILES: &[&str] = &[
    include_str!("../profiles/34.json"),
    include_str!("../profiles/62.json"),
    include_str!("../profiles/43.json"),
    include_str!("../profiles/50.json"),
    include_str!("../profiles/31.json"),
];

/// A profile as written in its file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    code: String,
    abbr: String,
    name: String,
    authority_name: String,
    authority_code: String,
    publicity_days: i64,
    signing_order: String,
    #[serde(default)]
    review_stages: Option<String>,
    #[serde(default = "ten")]
    decision_days: u32,
    #[serde(default = "three")]
    change_decision_days: u32,
    #[serde(default)]
    licence_use_days: Option<u32>,
    #[serde(default)]
    new_version_exchange: bool,
    #[serde(default)]
    new_version_since: Option<String>,
    #[serde(default)]
    old_version_valid_until: Option<String>,
    #[serde(default)]
    usage_copy_max_days: Option<u32>,
    #[serde(default)]
    forced_cancellation_confirmation: bool,
    #[serde(default)]
    employer_change_by_reregistration: bool,
    #[serde(default)]
    enterprise_files_initial: bool,
    #[serde(default)]
    real_name: Option<String>,
    #[serde(default)]
    staff_second_factor: bool,
    #[serde(default = "yes")]
    enterprise_prints_certificates: bool,
    #[serde(default)]
    query_shows_photo: bool,
    #[serde(default)]
    change_without_publicity: bool,
    #[serde(default)]
    expired_specialty_by_addition: bool,
    #[serde(default)]
    lost_reissue_reviewed: bool,
    #[serde(default)]
    temporary_transfer_by_new_employer: bool,
    #[serde(default)]
    professions: Vec<String>,
    #[serde(default)]
    declarations: Option<String>,
    #[serde(default)]
    contacts: Vec<ContactFile>,
    #[serde(default)]
    materials: Vec<MaterialFile>,
    cities: Vec<CityFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MaterialFile {
    kind: String,
    slot: String,
    #[serde(default)]
    required: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactFile {
    label: String,
    phone: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CityFile {
    code: String,
    name: String,
}

fn yes() -> bool {
    true
}

fn ten() -> u32 {
    10
}
fn three() -> u32 {
    3
}

/// Why a profile file was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProfileError {
    #[error("省份配置文件格式不正确：{0}")]
    Format(String),
    #[error("省份配置有误：{0}")]
    Invalid(String),
}

/// A JSON parser's complaint in Chinese, with where it is (line and column), for the
/// administrator who edits the profile: the parser's own text is English.
pub fn json_error_zh(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("第{}行第{}列", e.line(), e.column());
    let text = e.to_string();
    let quoted = |marker: &str| text.split(marker).nth(1).and_then(|t| t.split('`').nth(1)).map(str::to_owned);
    match e.classify() {
        Category::Eof => format!("内容不完整（{at}处意外结束），请检查括号和引号是否成对"),
        Category::Syntax => format!("{at}附近格式有误：请检查逗号、冒号、引号和括号"),
        Category::Io => "无法读取配置内容".to_owned(),
        Category::Data => match (quoted("missing field"), quoted("unknown field")) {
            (Some(f), _) => format!("缺少字段“{f}”"),
            (_, Some(f)) => format!("不认识的字段“{f}”（{at}）"),
            _ => format!("{at}处的值类型不正确（例如应为数字、文字、是/否或列表）"),
        },
    }
}

/// Parses a profile file (JSON). A profile lives for the whole process, so its strings are
/// kept for good (`&'static`), and profiles stay plain `Copy` data everywhere else.
pub fn parse_profile(json: &str) -> Result<ProvinceProfile, ProfileError> {
    let f: ProfileFile = serde_json::from_str(json).map_err(|e| ProfileError::Format(json_error_zh(&e)))?;
    let bad = |m: String| Err(ProfileError::Invalid(m));
    if f.code.len() != 2 || !f.code.bytes().all(|b| b.is_ascii_digit()) {
        return bad(format!("code “{}” 应为两位行政区划代码", f.code));
    }
    if f.abbr.chars().count() != 1 || f.abbr.is_ascii() {
        return bad(format!("abbr “{}” 应为一个汉字简称", f.abbr));
    }
    if !crate::ids::CreditCode::parse(&f.authority_code).is_ok_and(|c| c.check_ok()) {
        return bad(format!("authority_code “{}” 不是有效的统一社会信用代码", f.authority_code));
    }
    if !(0..=60).contains(&f.publicity_days) {
        return bad("publicity_days 应在 0–60 之间".into());
    }
    let signing_order = match f.signing_order.as_str() {
        "applicant_first" => SigningOrder::ApplicantFirst,
        "enterprise_first" => SigningOrder::EnterpriseFirst,
        other => return bad(format!("signing_order “{other}” 应为 applicant_first 或 enterprise_first")),
    };
    let review_stages = match f.review_stages.as_deref() {
        None => ReviewStages::CityThenProvince,
        Some(code) => match ReviewStages::parse(code) {
            Some(r) => r,
            None => return bad(format!("review_stages “{code}” 应为 city_then_province 或 province_only")),
        },
    };
    if f.cities.is_empty() || f.cities.iter().any(|c| c.code.len() != 6 || !c.code.starts_with(&f.code)) {
        return bad(format!("cities 须至少一个，且代码为以 {} 开头的六位区划代码", f.code));
    }
    if f.enterprise_files_initial && signing_order != SigningOrder::EnterpriseFirst {
        return bad("enterprise_files_initial 须与 signing_order = enterprise_first 一起使用（企业先盖章，本人后签名）".into());
    }
    let real_name = match f.real_name.as_deref() {
        None => RealNameRule::Never,
        Some(code) => match RealNameRule::parse(code) {
            Some(r) => r,
            None => return bad(format!("real_name “{code}” 应为 never、before_key 或 before_every_filing")),
        },
    };
    if f.usage_copy_max_days.is_some_and(|d| !(1..=365).contains(&d)) {
        return bad("usage_copy_max_days 应在 1–365 之间".into());
    }
    if let Some(m) = f.materials.iter().find(|m| crate::materials::slot(&m.slot).is_none()) {
        let known: Vec<&str> = crate::materials::CATALOGUE.iter().map(|s| s.code).collect();
        return bad(format!("materials 中的材料“{}”不认识，应为 {} 之一", m.slot, known.join("、")));
    }
    let keep = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let materials: Vec<crate::materials::MaterialRule> = f
        .materials
        .into_iter()
        .map(|m| crate::materials::MaterialRule { kind: keep(m.kind), slot: keep(m.slot), required: m.required })
        .collect();
    let cities: Vec<City> = f.cities.into_iter().map(|c| City { code: keep(c.code), name: keep(c.name) }).collect();
    let declarations = match f.declarations.as_deref() {
        None | Some("standard") => Declarations::Standard,
        Some("gansu") => Declarations::Gansu,
        Some(other) => return bad(format!("declarations “{other}” 应为 standard 或 gansu")),
    };
    let date = |what: &str, v: &str| {
        chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
            .map_err(|_| ProfileError::Invalid(format!("{what} “{v}” 应为 YYYY-MM-DD 格式的日期")))
    };
    let old_version = match (f.new_version_since.as_deref(), f.old_version_valid_until.as_deref()) {
        (None, None) => None,
        (Some(a), Some(b)) => {
            let (since, lapses_on) = (date("new_version_since", a)?, date("old_version_valid_until", b)?);
            if lapses_on <= since {
                return bad("old_version_valid_until 应晚于 new_version_since".into());
            }
            Some(OldVersion { since, lapses_on })
        }
        _ => return bad("new_version_since 与 old_version_valid_until 须同时填写".into()),
    };
    let mut professions: Vec<&'static str> = vec!["constructor2", "temp_constructor2"];
    for code in &f.professions {
        match crate::profession::profession(code) {
            Some(p) if !professions.contains(&p.code) => professions.push(p.code),
            Some(_) => {}
            None => return bad(format!("professions 中的“{code}”不是已知的执业资格")),
        }
    }
    let contacts: Vec<Contact> = f.contacts.into_iter().map(|c| Contact { label: keep(c.label), phone: keep(c.phone) }).collect();
    Ok(ProvinceProfile {
        code: keep(f.code),
        abbr: keep(f.abbr),
        name: keep(f.name),
        authority_name: keep(f.authority_name),
        authority_code: keep(f.authority_code),
        publicity_days: f.publicity_days,
        signing_order,
        review_stages,
        decision_days: f.decision_days,
        change_decision_days: f.change_decision_days,
        licence_use_days: f.licence_use_days,
        new_version_exchange: f.new_version_exchange,
        old_version,
        usage_copy_max_days: f.usage_copy_max_days,
        forced_cancellation_confirmation: f.forced_cancellation_confirmation,
        employer_change_by_reregistration: f.employer_change_by_reregistration,
        enterprise_files_initial: f.enterprise_files_initial,
        real_name,
        staff_second_factor: f.staff_second_factor,
        enterprise_prints_certificates: f.enterprise_prints_certificates,
        query_shows_photo: f.query_shows_photo,
        change_without_publicity: f.change_without_publicity,
        expired_specialty_by_addition: f.expired_specialty_by_addition,
        lost_reissue_reviewed: f.lost_reissue_reviewed,
        temporary_transfer_by_new_employer: f.temporary_transfer_by_new_employer,
        professions: Box::leak(professions.into_boxed_slice()),
        declarations,
        contacts: Box::leak(contacts.into_boxed_slice()),
        materials: Box::leak(materials.into_boxed_slice()),
        cities: Box::leak(cities.into_boxed_slice()),
    })
}

/// The old version of the certificate and the day it lapses (上海).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OldVersion {
    /// The first day of the new version: a certificate issued before it is of the old one.
    pub since: chrono::NaiveDate,
    /// From this day an old-version certificate is no longer valid.
    pub lapses_on: chrono::NaiveDate,
}

impl OldVersion {
    /// Whether a certificate issued on `issued_on` has lapsed as an old version by `today`.
    pub fn lapsed(&self, issued_on: chrono::NaiveDate, today: chrono::NaiveDate) -> bool {
        issued_on < self.since && today >= self.lapses_on
    }
}

/// Which wording the application form's opinions carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum Declarations {
    #[default]
    Standard,
    Gansu,
}

impl Declarations {
    pub fn code(self) -> &'static str {
        match self {
            Declarations::Standard => "standard",
            Declarations::Gansu => "gansu",
        }
    }

    /// The applicant's and the enterprise's opinions for `person` filing `procedure` (初始注册,
    /// 增项注册 …) with `enterprise`; `None` for the standard declarations.
    pub fn opinions(self, person: &str, enterprise: &str, procedure: &str) -> Option<(String, String)> {
        match self {
            Declarations::Standard => None,
            Declarations::Gansu => Some((
                format!(
                    "本人{person}已按照相关法律规定，符合考试报名条件，并合法取得了二级建造师执业资格，与{enterprise}签订真实有效劳动聘用合同。\
                     本人无其他资格证书注册在其他企业（机构），承诺已按规定完成相应继续教育，同意将证书注册至该企业。本人已核对上述内容，对申请表内容及申报材料的真实性负责。"
                ),
                format!("{person}已按照相关法律规定与{enterprise}签订真实有效劳动聘用合同，并确认其申报材料真实，同意该同志申报{procedure}。"),
            )),
        }
    }
}

/// When a person must pass a real-name check (ID number and face, by the configured provider).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum RealNameRule {
    #[default]
    Never,
    /// Before a signing key is issued (甘肃: “申请证书前用户需人脸识别”).
    BeforeKey,
    /// Before every filing (重庆: “每次申报相关业务前，须进行人脸识别”).
    BeforeEveryFiling,
}

impl RealNameRule {
    pub fn code(self) -> &'static str {
        match self {
            RealNameRule::Never => "never",
            RealNameRule::BeforeKey => "before_key",
            RealNameRule::BeforeEveryFiling => "before_every_filing",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [RealNameRule::Never, RealNameRule::BeforeKey, RealNameRule::BeforeEveryFiling].into_iter().find(|r| r.code() == code)
    }
}

/// The published presets: 皖, 甘, 湘, 渝, 沪.
pub fn presets() -> &'static [ProvinceProfile] {
    static PRESETS: OnceLock<Vec<ProvinceProfile>> = OnceLock::new();
    PRESETS.get_or_init(|| PRESET_FILES.iter().map(|f| parse_profile(f).expect("published profiles parse")).collect())
}

pub fn preset(key: &str) -> Option<&'static ProvinceProfile> {
    presets().iter().find(|p| p.code == key || p.abbr == key || p.name == key)
}

impl ProvinceProfile {
    /// Whether `profession` (a code) is registered in this province.
    pub fn registers(&self, profession: &str) -> bool {
        self.professions.contains(&profession)
    }

    pub fn city(&self, code: &str) -> Option<&'static City> {
        self.cities.iter().find(|c| c.code == code)
    }

    /// The profile as its file (pretty JSON): what the administrator edits, and what
    /// [`parse_profile`] reads back to the same profile.
    pub fn to_file_json(&self) -> String {
        let cities: Vec<serde_json::Value> = self.cities.iter().map(|c| serde_json::json!({ "code": c.code, "name": c.name })).collect();
        let v = serde_json::json!({
            "code": self.code,
            "abbr": self.abbr,
            "name": self.name,
            "authority_name": self.authority_name,
            "authority_code": self.authority_code,
            "publicity_days": self.publicity_days,
            "signing_order": self.signing_order.code(),
            "review_stages": self.review_stages.code(),
            "decision_days": self.decision_days,
            "change_decision_days": self.change_decision_days,
            "licence_use_days": self.licence_use_days,
            "new_version_exchange": self.new_version_exchange,
            "new_version_since": self.old_version.map(|o| o.since.to_string()),
            "old_version_valid_until": self.old_version.map(|o| o.lapses_on.to_string()),
            "usage_copy_max_days": self.usage_copy_max_days,
            "forced_cancellation_confirmation": self.forced_cancellation_confirmation,
            "employer_change_by_reregistration": self.employer_change_by_reregistration,
            "enterprise_files_initial": self.enterprise_files_initial,
            "real_name": self.real_name.code(),
            "staff_second_factor": self.staff_second_factor,
            "enterprise_prints_certificates": self.enterprise_prints_certificates,
            "query_shows_photo": self.query_shows_photo,
            "change_without_publicity": self.change_without_publicity,
            "expired_specialty_by_addition": self.expired_specialty_by_addition,
            "lost_reissue_reviewed": self.lost_reissue_reviewed,
            "temporary_transfer_by_new_employer": self.temporary_transfer_by_new_employer,
            "professions": self.professions,
            "declarations": self.declarations.code(),
            "contacts": self.contacts.iter().map(|c| serde_json::json!({ "label": c.label, "phone": c.phone })).collect::<Vec<_>>(),
            "materials": self.materials.iter().map(|m| serde_json::json!({ "kind": m.kind, "slot": m.slot, "required": m.required })).collect::<Vec<_>>(),
            "cities": cities,
        });
        serde_json::to_string_pretty(&v).expect("a JSON value serialises")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parser_errors_are_told_in_chinese() {
        for (bad, want) in [("{", "不完整"), ("{\"code\": \"34\" \"x\"}", "格式有误"), ("{}", "缺少字段"), ("[1]", "类型不正确")]
        {
            let m = super::parse_profile(bad).unwrap_err().to_string();
            assert!(m.contains(want), "{bad}: {m}");
            assert!(!m.chars().any(|c| c.is_ascii_alphabetic() && !m.contains('“')), "{bad}: {m}");
        }
    }

    #[test]
    fn authority_codes_are_valid_credit_codes() {
        for p in super::presets() {
            assert!(crate::ids::CreditCode::parse(p.authority_code).unwrap().check_ok(), "{}", p.name);
        }
    }

    #[test]
    fn presets_are_found_by_code_abbr_or_name() {
        assert_eq!(super::preset("皖").unwrap().code, "34");
        assert_eq!(super::preset("62").unwrap().abbr, "甘");
        assert_eq!(super::preset("湖南省").unwrap().abbr, "湘");
        assert!(super::preset("京").is_none());
        assert_eq!(super::preset("湘").unwrap().signing_order, crate::workflow::SigningOrder::EnterpriseFirst);
    }

    #[test]
    fn every_preset_round_trips_through_its_file() {
        for p in super::presets() {
            assert_eq!(&super::parse_profile(&p.to_file_json()).unwrap(), p, "{}", p.name);
        }
    }

    #[test]
    fn a_new_province_is_a_file() {
        let beijing = r#"{"code":"11","abbr":"京","name":"北京市","authority_name":"北京市住房和城乡建设委员会",
            "authority_code":"11110000MB011000X0","publicity_days":7,"signing_order":"applicant_first",
            "decision_days":20,"cities":[{"code":"110101","name":"东城区"}]}"#;
        let fixed = beijing.replace("11110000MB011000X0", &crate::ids::CreditCode::with_check("11110000MB011000X").unwrap().to_string());
        let p = super::parse_profile(&fixed).unwrap();
        assert_eq!((p.abbr, p.publicity_days, p.decision_days, p.change_decision_days), ("京", 7, 20, 3));
        assert_eq!(p.city("110101").unwrap().name, "东城区");
        assert!(matches!(super::parse_profile(&beijing.replace("\"11\"", "\"1\"")), Err(super::ProfileError::Invalid(_))));
        assert!(matches!(super::parse_profile("{}"), Err(super::ProfileError::Format(_))));
        // Review stages default to city then province; a municipality may review alone.
        assert_eq!(p.review_stages, crate::workflow::ReviewStages::CityThenProvince);
        let alone = fixed.replace("\"decision_days\"", "\"review_stages\":\"province_only\",\"decision_days\"");
        assert_eq!(super::parse_profile(&alone).unwrap().review_stages, crate::workflow::ReviewStages::ProvinceOnly);
        let typo = fixed.replace("\"decision_days\"", "\"review_stages\":\"city_only\",\"decision_days\"");
        assert_eq!(
            super::parse_profile(&typo).unwrap_err().to_string(),
            "省份配置有误：review_stages “city_only” 应为 city_then_province 或 province_only"
        );
    }
}
