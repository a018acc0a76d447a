//! What an enterprise may see of its people: ID numbers and mobiles masked, in the JSON API as on
//! its pages. Reviewers and the person themself see them whole.

use erjian_domain::ids::{mask_id_number, mask_mobile};
use erjian_domain::workflow::Role;
use erjian_store::applications::{Application, ApplicationDetail};
use erjian_store::certificates::Certificate;
use erjian_store::registry::Registration;
use erjian_store::Actor;

/// A record that carries a person's identifiers.
pub trait Personal {
    fn mask(&mut self);
}

impl Personal for Application {
    fn mask(&mut self) {
        self.id_number = mask_id_number(&self.id_number);
        self.mobile = mask_mobile(&self.mobile);
    }
}

impl Personal for ApplicationDetail {
    fn mask(&mut self) {
        self.application.mask();
    }
}

impl Personal for Registration {
    fn mask(&mut self) {
        self.id_number = mask_id_number(&self.id_number);
    }
}

impl Personal for Certificate {
    /// A certificate row carries the number masked already.
    fn mask(&mut self) {}
}

/// Masks each record when the caller is an enterprise.
pub fn for_caller<T: Personal>(actor: &Actor, mut items: Vec<T>) -> Vec<T> {
    if actor.role == Role::Enterprise {
        items.iter_mut().for_each(Personal::mask);
    }
    items
}

/// [`for_caller`] for one record.
pub fn one_for_caller<T: Personal>(actor: &Actor, mut item: T) -> T {
    if actor.role == Role::Enterprise {
        item.mask();
    }
    item
}

/// One application as the caller may see it (the tenant rule in the store, masking here).
pub async fn application(state: &crate::AppState, actor: &Actor, id: i64) -> Result<ApplicationDetail, erjian_store::Error> {
    Ok(one_for_caller(actor, state.store.application(actor, id).await?))
}
