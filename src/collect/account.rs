use std::collections::BTreeSet;

use aws_sdk_account::error::ProvideErrorMetadata;
use aws_sdk_account::types::AlternateContactType;

use super::{action, when};
use crate::aws::{Aws, unavailable};
use crate::inventory::{Account, Contact, Source, Unavailable};

pub async fn collect(aws: &Aws, sources: &BTreeSet<Source>) -> Account {
    Account {
        security_contact: when(
            sources,
            Source::AccountSecurityContact,
            aws.in_turn(|| security_contact(aws)),
        )
        .await,
    }
}

async fn security_contact(aws: &Aws) -> Result<Option<Contact>, Unavailable> {
    let out = aws
        .account()
        .get_alternate_contact()
        .alternate_contact_type(AlternateContactType::Security)
        .send()
        .await;
    match out {
        Ok(out) => Ok(out.alternate_contact().map(|c| Contact {
            name: c.name().unwrap_or_default().to_string(),
            email: c.email_address().unwrap_or_default().to_string(),
        })),
        // No contact of that type is registered: a fact.
        Err(e) if e.code() == Some("ResourceNotFoundException") => Ok(None),
        Err(e) => Err(unavailable(
            action!(AccountSecurityContact, GetAlternateContact),
            e,
        )),
    }
}
