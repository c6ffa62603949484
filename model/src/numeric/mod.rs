//! Numerical building blocks shared by the exact results: adaptive quadrature
//! and monotone root finding. Kept here so every integral in the crate uses
//! the same documented tolerance.
pub mod binomial;
pub mod cheb;
pub mod quad;
pub mod root;
