//! Professions and their specialties, as data rather than as an enum with one member.
//!
//! The catalogue follows the domain brief §2: the second-level constructor with its six
//! specialties (national e-licence codes), the temporary constructor, and Shanghai's second-level
//! architect and structural engineer, which have no specialties.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Specialty {
    /// National code used in e-licences, e.g. `10401001`.
    pub code: &'static str,
    pub name: &'static str,
    pub short: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Profession {
    /// Stable code stored in the database.
    pub code: &'static str,
    pub name: &'static str,
    /// Age at which registration validity ends.
    pub max_age: u32,
    /// Whether initial registration exists for it (temporary constructors have none).
    pub initial_registration: bool,
    pub specialties: &'static [Specialty],
    /// The national e-licence standard its certificate follows (上海 notice: 《……电子证照二级建造师
    /// 注册证书》(C0215-2019)、《……注册建筑师注册证书》(C0253-2021)、《……勘察设计注册工程师注册执业证书》
    /// (C0252-2021)).
    pub licence_standard: &'static str,
    /// The 21-character licence type in its e-licence identifiers. The constructor's is the
    /// published one; the architect's and structural engineer's are erjian's own assignments
    /// under the same issuer prefix (`…W053`, `…W052`, after their standards) until the national
    /// catalogue's codes are configured.
    pub licence_type: &'static str,
    /// The certificate's title.
    pub certificate_title: &'static str,
    /// Whether a specialty may be added to a registration (增项注册: constructors only, 上海
    /// notice 二: “增项注册(仅限二级建造师)”).
    pub adds_specialties: bool,
}

pub const CONSTRUCTOR_SPECIALTIES: &[Specialty] = &[
    Specialty { code: "10401001", name: "建筑工程", short: "建筑" },
    Specialty { code: "10401002", name: "公路工程", short: "公路" },
    Specialty { code: "10401005", name: "水利水电工程", short: "水利" },
    Specialty { code: "10401007", name: "矿业工程", short: "矿业" },
    Specialty { code: "10401010", name: "市政公用工程", short: "市政" },
    Specialty { code: "10401012", name: "机电工程", short: "机电" },
];

/// Professions without specialties register under this single pseudo-specialty.
pub const WHOLE_PROFESSION: &[Specialty] = &[Specialty { code: "00000000", name: "（不分专业）", short: "—" }];

pub const PROFESSIONS: &[Profession] = &[
    Profession {
        code: "constructor2",
        name: "二级注册建造师",
        max_age: 65,
        initial_registration: true,
        specialties: CONSTRUCTOR_SPECIALTIES,
        licence_standard: "C0215-2019",
        licence_type: crate::licence::CONSTRUCTOR2_TYPE,
        certificate_title: "二级建造师注册证书",
        adds_specialties: true,
    },
    Profession {
        code: "temp_constructor2",
        name: "二级临时建造师",
        max_age: 60,
        initial_registration: false,
        specialties: CONSTRUCTOR_SPECIALTIES,
        licence_standard: "C0215-2019",
        licence_type: crate::licence::CONSTRUCTOR2_TYPE,
        certificate_title: "二级临时建造师注册证书",
        adds_specialties: false,
    },
    Profession {
        code: "architect2",
        name: "二级注册建筑师",
        max_age: 65,
        initial_registration: true,
        specialties: WHOLE_PROFESSION,
        licence_standard: "C0253-2021",
        licence_type: "11100000000013338W053",
        certificate_title: "二级注册建筑师注册证书",
        adds_specialties: false,
    },
    Profession {
        code: "structural2",
        name: "二级注册结构工程师",
        max_age: 65,
        initial_registration: true,
        specialties: WHOLE_PROFESSION,
        licence_standard: "C0252-2021",
        licence_type: "11100000000013338W052",
        certificate_title: "二级注册结构工程师注册执业证书",
        adds_specialties: false,
    },
];

pub fn profession(code: &str) -> Option<&'static Profession> {
    PROFESSIONS.iter().find(|p| p.code == code)
}

/// Looks a profession up by its Chinese name, as written in import files.
pub fn profession_by_name(name: &str) -> Option<&'static Profession> {
    PROFESSIONS.iter().find(|p| p.name == name.trim())
}

impl Profession {
    /// The name a certificate prints (二级建造师, 二级临时建造师, 二级建筑师, 二级结构工程师).
    pub fn certificate_name(&self) -> String {
        format!("二级{}", self.name.trim_start_matches("二级注册").trim_start_matches("二级"))
    }

    /// The profession whose certificates print `name` (see [`Profession::certificate_name`]).
    pub fn by_certificate_name(name: &str) -> Option<&'static Profession> {
        PROFESSIONS.iter().find(|p| p.certificate_name() == name)
    }

    pub fn specialty(&self, code: &str) -> Option<&'static Specialty> {
        self.specialties.iter().find(|s| s.code == code)
    }

    /// Finds a specialty by code, full name or short name.
    pub fn specialty_by_any(&self, key: &str) -> Option<&'static Specialty> {
        let k = key.trim();
        self.specialties.iter().find(|s| s.code == k || s.name == k || s.short == k)
    }
}

/// The display name of a specialty code in any profession.
pub fn specialty_name(code: &str) -> &'static str {
    PROFESSIONS.iter().flat_map(|p| p.specialties.iter()).find(|s| s.code == code).map(|s| s.name).unwrap_or("未知专业")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructor_has_six_specialties_with_national_codes() {
        let p = profession("constructor2").unwrap();
        assert_eq!(p.specialties.len(), 6);
        assert_eq!(p.specialty_by_any("市政").unwrap().code, "10401010");
        assert_eq!(p.specialty_by_any("机电工程").unwrap().code, "10401012");
        assert_eq!(profession_by_name("二级注册建筑师").unwrap().specialties.len(), 1);
        assert_eq!(specialty_name("10401005"), "水利水电工程");
    }

    #[test]
    fn each_profession_has_its_own_licence_type() {
        let types: std::collections::HashSet<_> = PROFESSIONS.iter().filter(|p| p.initial_registration).map(|p| p.licence_type).collect();
        assert_eq!(types.len(), 3);
        for p in PROFESSIONS {
            assert!(crate::licence::LicenceId::new(p.licence_type, "11310000002418009N", "2023", 1).is_ok(), "{}", p.code);
        }
        assert_eq!(profession("structural2").unwrap().licence_standard, "C0252-2021");
    }
}
