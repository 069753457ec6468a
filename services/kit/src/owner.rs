//! Who sees which rows of a customer's things (orders, payments, …): a customer sees only
//! their own, staff (the admin role) see everyone's. Written once here so that every
//! service applies the same rule the same way.
//!
//! A row that is not the caller's is treated exactly like one that does not exist (404 for
//! one, an empty page for a list), so that ids and customers cannot be probed.

use uuid::Uuid;

use crate::auth::Claims;
use crate::error::ApiError;

/// A row that belongs to one customer.
pub trait Owned {
    /// The id of the customer it belongs to.
    fn owner(&self) -> Uuid;
}

impl Claims {
    /// Whether the caller may see (or act on) what `owner` owns: it is the caller's own,
    /// or the caller is an administrator.
    pub fn may_access(&self, owner: Uuid) -> bool {
        self.is_admin() || owner == self.sub
    }
}

/// `row` if it exists and the caller may see it; otherwise `not_found()`, the same answer
/// for "not yours" as for "no such row".
pub fn visible<T: Owned>(
    claims: &Claims,
    row: Option<T>,
    not_found: impl FnOnce() -> ApiError,
) -> Result<T, ApiError> {
    row.filter(|row| claims.may_access(row.owner()))
        .ok_or_else(not_found)
}

/// The owner filter a list runs with, once the caller's scope is applied to the one the
/// client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerFilter {
    /// Read the rows of this owner, or of every owner for `None` (administrators only).
    Rows(Option<Uuid>),
    /// The client asked for another customer's rows: the answer is an empty page, as if
    /// that customer had none.
    Nothing,
}

impl OwnerFilter {
    /// Scopes `requested` (a `userId` filter, if any) to the caller: an administrator gets
    /// what they asked for; a customer always gets only their own rows, and a filter naming
    /// someone else cannot widen that.
    pub fn for_caller(claims: &Claims, requested: Option<Uuid>) -> Self {
        if claims.is_admin() {
            Self::Rows(requested)
        } else if requested.is_some_and(|owner| owner != claims.sub) {
            Self::Nothing
        } else {
            Self::Rows(Some(claims.sub))
        }
    }
}

/// Narrows a list's owner filter (its `userId`, if any) in place to what the caller may
/// see, by [`OwnerFilter::for_caller`]. `false` when the caller asked for another
/// customer's rows: the answer is then an empty page, and the list need not be read.
#[must_use = "an invisible list must be answered with an empty page"]
pub fn narrow(claims: &Claims, owner: &mut Option<Uuid>) -> bool {
    match OwnerFilter::for_caller(claims, *owner) {
        OwnerFilter::Rows(scoped) => {
            *owner = scoped;
            true
        }
        OwnerFilter::Nothing => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn claims(role: Role) -> Claims {
        Claims {
            sub: Uuid::new_v4(),
            role,
            iss: crate::auth::ISSUER.into(),
            aud: crate::auth::AUDIENCE.into(),
            iat: 0,
            exp: 0,
            jti: Uuid::new_v4(),
        }
    }

    struct Row(Uuid);

    impl Owned for Row {
        fn owner(&self) -> Uuid {
            self.0
        }
    }

    fn gone() -> ApiError {
        ApiError::not_found("row")
    }

    #[test]
    fn a_customer_sees_only_their_own_rows_an_admin_sees_all() {
        let customer = claims(Role::Customer);
        let admin = claims(Role::Admin);
        let theirs = Uuid::new_v4();
        assert!(customer.may_access(customer.sub));
        assert!(!customer.may_access(theirs));
        assert!(admin.may_access(theirs));

        assert!(visible(&customer, Some(Row(customer.sub)), gone).is_ok());
        assert_eq!(
            visible(&customer, Some(Row(theirs)), gone)
                .err()
                .map(|e| e.status()),
            Some(axum::http::StatusCode::NOT_FOUND)
        );
        assert!(visible(&admin, Some(Row(theirs)), gone).is_ok());
        assert!(visible::<Row>(&admin, None, gone).is_err());
    }

    #[test]
    fn a_list_filter_cannot_widen_a_customers_scope() {
        let customer = claims(Role::Customer);
        let admin = claims(Role::Admin);
        let other = Uuid::new_v4();
        assert_eq!(
            OwnerFilter::for_caller(&customer, None),
            OwnerFilter::Rows(Some(customer.sub))
        );
        assert_eq!(
            OwnerFilter::for_caller(&customer, Some(customer.sub)),
            OwnerFilter::Rows(Some(customer.sub))
        );
        assert_eq!(
            OwnerFilter::for_caller(&customer, Some(other)),
            OwnerFilter::Nothing
        );
        assert_eq!(
            OwnerFilter::for_caller(&admin, None),
            OwnerFilter::Rows(None)
        );
        assert_eq!(
            OwnerFilter::for_caller(&admin, Some(other)),
            OwnerFilter::Rows(Some(other))
        );
    }

    #[test]
    fn narrowing_sets_the_owner_or_says_nothing_is_visible() {
        let customer = claims(Role::Customer);
        let admin = claims(Role::Admin);
        let mut owner = None;
        assert!(narrow(&customer, &mut owner));
        assert_eq!(owner, Some(customer.sub));
        let other = Uuid::new_v4();
        let mut owner = Some(other);
        assert!(!narrow(&customer, &mut owner));
        assert!(narrow(&admin, &mut owner));
        assert_eq!(owner, Some(other));
        let mut owner = None;
        assert!(narrow(&admin, &mut owner));
        assert_eq!(owner, None);
    }
}
