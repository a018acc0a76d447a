//! Real-name verification (实名核验: ID number, name and a live face) through a provider behind one
//! trait, as the seeds describe (甘肃's 移证通, 重庆's 渝快办, 湖南's face check). The only provider
//! here is the demo: it decodes the picture it is given and compares nothing, and says so
//! wherever its verdict is shown or recorded. A deployment plugs in its vendor's (a government
//! identity platform's) client by implementing [`RealName`].

use std::future::Future;
use std::pin::Pin;

/// What is checked: the person's name and document number, and a picture of the face taken now.
pub struct FaceCheck<'a> {
    pub name: &'a str,
    pub id_number: &'a str,
    /// The decoded and re-encoded picture (JPEG or PNG).
    pub face: &'a [u8],
}

/// A provider's answer.
pub struct Verdict {
    pub passed: bool,
    /// In Chinese, for the person and the audit log.
    pub detail: String,
}

pub type Checked<'a> = Pin<Box<dyn Future<Output = Result<Verdict, String>> + Send + 'a>>;

pub trait RealName: Send + Sync {
    /// The provider's name, as recorded and shown.
    fn name(&self) -> &'static str;
    /// Whether it compares no face (a demo): recorded and labelled.
    fn is_demo(&self) -> bool;
    fn check<'a>(&'a self, c: &'a FaceCheck<'a>) -> Checked<'a>;
}

/// The demo provider: passes any decodable picture, compares nothing, and says so.
pub struct DemoRealName;

impl RealName for DemoRealName {
    fn name(&self) -> &'static str {
        "演示核验服务"
    }

    fn is_demo(&self) -> bool {
        true
    }

    fn check<'a>(&'a self, c: &'a FaceCheck<'a>) -> Checked<'a> {
        Box::pin(async move {
            Ok(Verdict {
                passed: !c.face.is_empty(), detail: "演示核验：照片已接收，未与公安人口库比对人脸，仅供体验流程".to_owned()
            })
        })
    }
}
