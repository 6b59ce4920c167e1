//! Unit enums written as their names (`"active"`), read through one reader that all of
//! them share: serde's derive makes a reader of its own for every enum, about a
//! kilobyte of code apiece in the app's wasm. [`Named`] tells the names to the
//! protocol's own JSON reader (`crate::json`), which the app's first screen and its
//! live part read with.

use serde::de::{Deserializer, Error, Visitor};
use std::fmt;

/// Where in `names` the name that `d` holds is.
pub(crate) fn index_of<'de, D: Deserializer<'de>>(d: D, names: &'static [&'static str]) -> Result<usize, D::Error> {
    d.deserialize_str(Names(names))
}

struct Names(&'static [&'static str]);

impl Visitor<'_> for Names {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a variant name")
    }

    fn visit_str<E: Error>(self, name: &str) -> Result<usize, E> {
        self.0.iter().position(|n| *n == name).ok_or_else(|| E::unknown_variant(name, self.0))
    }
}

/// A unit enum written as the name of its variant.
pub trait Named: Sized + Copy + 'static {
    /// Every variant, in the order of [`Named::NAMES`].
    const VARIANTS: &'static [Self];
    /// The name each variant is written as.
    const NAMES: &'static [&'static str];

    /// The variant written `name`, if there is one.
    fn from_name(name: &str) -> Option<Self> {
        Self::NAMES.iter().position(|n| *n == name).map(|i| Self::VARIANTS[i])
    }
}

/// `Deserialize` and [`Named`] for the unit enum `$ty`, whose `$variant` is written
/// `$name` (as its `Serialize` writes it; every such enum has a test that reads back
/// what it writes).
macro_rules! read_by_name {
    ($ty:ident { $($variant:ident = $name:literal),+ $(,)? }) => {
        impl crate::names::Named for $ty {
            const VARIANTS: &'static [$ty] = &[$($ty::$variant),+];
            const NAMES: &'static [&'static str] = &[$($name),+];
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use crate::names::Named;
                crate::names::index_of(d, Self::NAMES).map(|i| Self::VARIANTS[i])
            }
        }
    };
}
pub(crate) use read_by_name;

#[cfg(test)]
mod tests {
    use serde::{de::DeserializeOwned, Serialize};
    use std::fmt::Debug;

    use super::Named;

    /// Each of `variants` reads back as itself from what it writes, by serde and by name.
    fn reads_back<T: Named + Serialize + DeserializeOwned + PartialEq + Debug>(variants: &[T]) {
        assert_eq!(T::VARIANTS.len(), variants.len(), "every variant is named");
        for v in variants {
            let json = serde_json::to_string(v).unwrap();
            assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), v, "{json}");
            assert_eq!(T::from_name(json.trim_matches('"')).as_ref(), Some(v), "{json}");
        }
        assert_eq!(T::from_name("nothing"), None);
    }

    #[test]
    fn every_enum_read_by_name_reads_back_what_it_writes() {
        use crate::api::{ChannelKind, DialogState, Language, Receipt, Theme};
        use crate::crm::{DealStage, Entity, SortKey};
        use crate::inbox::Tab;
        use crate::permissions::{LinesAccess, ViewScope};
        use crate::queue::{Presence, Routing};
        reads_back(&Theme::ALL);
        reads_back(&Language::ALL);
        reads_back(&ChannelKind::ALL);
        reads_back(&[DialogState::Unassigned, DialogState::Active, DialogState::Ended]);
        reads_back(&[Receipt::Delivered, Receipt::Seen]);
        reads_back(&Entity::ALL);
        reads_back(&DealStage::ALL);
        reads_back(&SortKey::ALL);
        reads_back(&Tab::ALL);
        reads_back(&ViewScope::ALL);
        reads_back(&[LinesAccess::None, LinesAccess::Limited, LinesAccess::Own, LinesAccess::Full]);
        reads_back(&Routing::ALL);
        reads_back(&[Presence::Online, Presence::Away]);
        assert_eq!(serde_json::to_string(&ChannelKind::Whatsapp).unwrap(), r#""whatsapp""#);
        assert_eq!(serde_json::to_string(&Routing::InTurn).unwrap(), r#""in_turn""#);
    }

    #[test]
    fn a_name_that_is_not_a_variant_or_not_a_name_is_refused_with_the_names() {
        use crate::inbox::Tab;
        let error = serde_json::from_str::<Tab>(r#""archived""#).unwrap_err().to_string();
        assert!(
            error.starts_with("unknown variant `archived`, expected one of `unassigned`, `active`, `inactive`"),
            "{error}"
        );
        let error = serde_json::from_str::<Tab>("3").unwrap_err().to_string();
        assert!(error.contains("expected a variant name"), "{error}");
        assert_eq!(serde_json::from_str::<Vec<Tab>>(r#"["inactive","active"]"#).unwrap(), [Tab::Inactive, Tab::Active]);
    }
}
