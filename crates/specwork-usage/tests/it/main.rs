//! Integration tests of specwork-usage: generated corpora against the reference accountants,
//! ccusage as an oracle, the ledger, prices.

mod agents;
mod claude;
mod common;
mod formats;
mod gen_agents;
mod ledger;
mod new_agents;
mod oracle;
mod prices;
