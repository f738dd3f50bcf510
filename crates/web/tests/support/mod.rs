//! Shared helpers of the integration tests (not a test target itself).

pub mod app;
pub mod browser;
