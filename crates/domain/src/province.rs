//! Province profiles: the settings that differ between provinces, kept as data (domain brief §11).
//!
//! A deployment serves one province. Presets exist for 安徽, 甘肃, 湖南, 重庆 and 上海; each names
//! its cities (GB/T 2260 codes) and its publicity period.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct City {
    pub code: &'static str,
    pub name: &'static str,
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
    pub signing_order: crate::workflow::SigningOrder,
    pub cities: &'static [City],
}

pub const PRESETS: &[ProvinceProfile] = &[
    ProvinceProfile {
        code: "34",
        abbr: "皖",
        name: "安徽省",
        authority_name: "安徽省住房和城乡建设厅",
        authority_code: "11340000MB034000X6",
        publicity_days: 5,
        signing_order: crate::workflow::SigningOrder::ApplicantFirst,
        cities: &[
            City { code: "340100", name: "合肥市" },
            City { code: "340200", name: "芜湖市" },
            City { code: "340300", name: "蚌埠市" },
        ],
    },
    ProvinceProfile {
        code: "62",
        abbr: "甘",
        name: "甘肃省",
        authority_name: "甘肃省住房和城乡建设厅",
        authority_code: "11620000MB062000XA",
        publicity_days: 7,
        signing_order: crate::workflow::SigningOrder::ApplicantFirst,
        cities: &[City { code: "620100", name: "兰州市" }, City { code: "620500", name: "天水市" }],
    },
    ProvinceProfile {
        code: "43",
        abbr: "湘",
        name: "湖南省",
        authority_name: "湖南省住房和城乡建设厅",
        authority_code: "11430000MB043000XK",
        publicity_days: 7,
        signing_order: crate::workflow::SigningOrder::EnterpriseFirst,
        cities: &[City { code: "430100", name: "长沙市" }, City { code: "430200", name: "株洲市" }],
    },
    ProvinceProfile {
        code: "50",
        abbr: "渝",
        name: "重庆市",
        authority_name: "重庆市住房和城乡建设委员会",
        authority_code: "11500000MB050000X9",
        publicity_days: 5,
        signing_order: crate::workflow::SigningOrder::ApplicantFirst,
        cities: &[City { code: "500101", name: "万州区" }, City { code: "500103", name: "渝中区" }],
    },
    ProvinceProfile {
        code: "31",
        abbr: "沪",
        name: "上海市",
        authority_name: "上海市住房和城乡建设管理委员会",
        authority_code: "11310000MB031000XJ",
        publicity_days: 5,
        signing_order: crate::workflow::SigningOrder::ApplicantFirst,
        cities: &[City { code: "310101", name: "黄浦区" }, City { code: "310104", name: "徐汇区" }],
    },
];

pub fn preset(key: &str) -> Option<&'static ProvinceProfile> {
    PRESETS.iter().find(|p| p.code == key || p.abbr == key || p.name == key)
}

impl ProvinceProfile {
    pub fn city(&self, code: &str) -> Option<&'static City> {
        self.cities.iter().find(|c| c.code == code)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn authority_codes_are_valid_credit_codes() {
        for p in super::PRESETS {
            assert!(crate::ids::CreditCode::parse(p.authority_code).unwrap().check_ok(), "{}", p.name);
        }
    }

    #[test]
    fn presets_are_found_by_code_abbr_or_name() {
        assert_eq!(super::preset("皖").unwrap().code, "34");
        assert_eq!(super::preset("62").unwrap().abbr, "甘");
        assert_eq!(super::preset("湖南省").unwrap().abbr, "湘");
        assert!(super::preset("京").is_none());
    }
}
