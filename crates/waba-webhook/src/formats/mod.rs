//! One decoder per wire family, each behind its feature.

#[cfg(feature = "cloud")]
pub(crate) mod cloud;
#[cfg(feature = "enablex")]
pub(crate) mod enablex;
mod items;
mod lenient;
#[cfg(feature = "mobile-gateway")]
pub(crate) mod mobile_gateway;
#[cfg(feature = "onprem")]
pub(crate) mod onprem;
