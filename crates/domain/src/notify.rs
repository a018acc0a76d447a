//! Who is told what when an application moves (消息中心): one table from the step taken to the
//! messages it sends. Pure: the store resolves the recipients to accounts and writes the
//! messages in the transaction of the step.

use crate::workflow::{Action, State};

/// Whom a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// The person the application is for.
    Applicant,
    /// The enterprise that seals it (the employer, or the new employer of a transfer).
    Enterprise,
}

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub to: Recipient,
    /// A stable code (for filtering and tests): `awaiting_enterprise`, `returned`, ….
    pub kind: &'static str,
    pub text: String,
}

/// What an application is, as the messages name it: its number and procedure.
pub struct About<'a> {
    pub number: &'a str,
    pub kind_label: &'a str,
    /// Whether announcement issues a certificate (most procedures; not a cancellation).
    pub issues_certificate: bool,
}

/// The messages one step sends. A step the recipient took themselves tells them nothing.
pub fn on_step(about: &About<'_>, action: Action, to: State, reason: Option<&str>) -> Vec<Message> {
    use Recipient::{Applicant, Enterprise};
    let what = format!("{}申请 {}", about.kind_label, about.number);
    let why = reason.map(str::trim).filter(|r| !r.is_empty()).map(|r| format!("原因：{r}")).unwrap_or_default();
    let one = |to, kind, text: String| Message { to, kind, text };
    match (action, to) {
        (Action::Sign, State::AwaitingEnterprise) => {
            vec![one(Enterprise, "awaiting_enterprise", format!("{what}已由申请人签名，待贵单位盖章确认。"))]
        }
        (Action::EnterpriseConfirm, State::AwaitingSignature) | (Action::Submit, State::AwaitingSignature) => {
            vec![one(Applicant, "awaiting_signature", format!("{what}待您签名确认。"))]
        }
        (Action::EnterpriseConfirm, State::Filed) | (Action::Sign, State::Filed) => vec![
            one(Applicant, "filed", format!("{what}已提交主管部门，等待受理。")),
            one(Enterprise, "filed", format!("{what}已提交主管部门，等待受理。")),
        ],
        (Action::EnterpriseReturn, _) => vec![one(Applicant, "returned", format!("{what}被企业退回，请修改后重新提交。{why}"))],
        (Action::Return, _) => vec![
            one(Applicant, "returned", format!("{what}被主管部门退回补正，请按意见修改后重新提交（补正材料通知书见申请页）。{why}")),
            one(Enterprise, "returned", format!("{what}被主管部门退回补正。{why}")),
        ],
        (Action::Accept, _) => vec![one(Applicant, "accepted", format!("{what}已受理，进入审查（受理通知书见申请页）。"))],
        (Action::RefuseAcceptance, _) => vec![
            one(Applicant, "not_accepted", format!("{what}不予受理（不予受理通知书见申请页）。{why}")),
            one(Enterprise, "not_accepted", format!("{what}不予受理。{why}")),
        ],
        (Action::Refuse, _) => vec![
            one(Applicant, "refused", format!("{what}审查未通过，不予注册（决定书见申请页）。{why}")),
            one(Enterprise, "refused", format!("{what}审查未通过，不予注册。{why}")),
        ],
        (Action::Approve, _) => vec![one(Applicant, "approved", format!("{what}审查通过，待公示。"))],
        (Action::StartPublicity, _) => vec![one(Applicant, "publicity", format!("{what}已进入公示。"))],
        (Action::Announce, _) => {
            let text = if about.issues_certificate {
                format!("{what}已公告办结，准予注册（决定书见申请页），电子证书已签发，可在“我的业务”下载。")
            } else {
                format!("{what}已公告办结。")
            };
            vec![one(Applicant, "announced", text.clone()), one(Enterprise, "announced", text)]
        }
        (Action::Withdraw, _) => vec![one(Enterprise, "withdrawn", format!("{what}已由申请人撤回。"))],
        (Action::Clear, _) => vec![one(Applicant, "cleared", format!("{what}长期未受理，已由系统清除。"))],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABOUT: About<'static> = About { number: "W202611250001", kind_label: "初始注册", issues_certificate: true };

    #[test]
    fn each_hand_off_reaches_the_party_that_must_act_or_know() {
        let to = |a, s| on_step(&ABOUT, a, s, Some(" 劳动合同缺页 ")).into_iter().map(|m| (m.to, m.kind)).collect::<Vec<_>>();
        assert_eq!(to(Action::Sign, State::AwaitingEnterprise), [(Recipient::Enterprise, "awaiting_enterprise")]);
        assert_eq!(to(Action::EnterpriseConfirm, State::Filed), [(Recipient::Applicant, "filed"), (Recipient::Enterprise, "filed")]);
        assert_eq!(to(Action::Accept, State::Accepted), [(Recipient::Applicant, "accepted")]);
        assert_eq!(to(Action::PrelimApprove, State::PrelimPassed), []);
        assert_eq!(to(Action::Announce, State::Announced), [(Recipient::Applicant, "announced"), (Recipient::Enterprise, "announced")]);
        let returned = on_step(&ABOUT, Action::Return, State::Returned, Some(" 劳动合同缺页 "));
        assert!(returned[0].text.contains("W202611250001") && returned[0].text.ends_with("原因：劳动合同缺页"), "{returned:?}");
        let cancel = About { issues_certificate: false, ..ABOUT };
        assert!(!on_step(&cancel, Action::Announce, State::Announced, None)[0].text.contains("证书"));
    }
}
