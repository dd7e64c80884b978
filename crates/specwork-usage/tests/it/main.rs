//! Integration tests of specwork-usage: generated corpora against the reference accountants,
//! ccusage as an oracle, the ledger, prices.

mod agents;
mod claude;
mod common;
mod ledger;
mod oracle;
mod prices;
