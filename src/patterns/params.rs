//! Detector parameters: a struct per typology with documented defaults, each overridable from
//! the command line as `typology.key=value`.

/// One parameter as listed (`detect --list`, the report's methodology).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamDoc {
    /// Its name, as in `typology.key=value`.
    pub key: &'static str,
    /// Its current value, as text.
    pub value: String,
    /// What it means and where its default comes from.
    pub doc: &'static str,
}

/// A set of parameters that can be listed and overridden by name.
pub trait Params: Send + Sync {
    /// Sets `key` from text; the error says what was expected.
    fn set(&mut self, key: &str, value: &str) -> Result<(), String>;
    /// Every parameter with its current value and documentation.
    fn describe(&self) -> Vec<ParamDoc>;
}

/// Declares a parameter struct with defaults, `Default`, and [`Params`].
///
/// Each field is written `/// doc` then `name: Type = default,`; the type must implement
/// `FromStr` and `Display`.
#[macro_export]
macro_rules! params {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[doc = $doc:literal])+ $field:ident : $ty:ty = $default:expr),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name { $($(#[doc = $doc])+ pub $field: $ty),+ }

        impl Default for $name {
            fn default() -> Self { $name { $($field: $default),+ } }
        }

        impl $crate::patterns::Params for $name {
            fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
                match key {
                    $(stringify!($field) => {
                        self.$field = value.trim().parse::<$ty>().map_err(|e| {
                            format!("{}={}: expected {} ({})", key, value, stringify!($ty), e)
                        })?;
                        Ok(())
                    })+
                    _ => Err(format!(
                        "unknown parameter '{}'; known: {}",
                        key,
                        [$(stringify!($field)),+].join(", ")
                    )),
                }
            }
            fn describe(&self) -> Vec<$crate::patterns::ParamDoc> {
                vec![$($crate::patterns::ParamDoc {
                    key: stringify!($field),
                    value: self.$field.to_string(),
                    doc: concat!($($doc),+),
                }),+]
            }
        }
    };
}
