//! Integration tests of specwork-usage: generated corpora against the reference accountants,
//! ccusage as an oracle, the ledger, prices.

mod agents;
mod antigravity;
mod claude;
mod common;
mod formats;
mod gen_agents;
mod gen_antigravity;
mod gen_more;
mod ledger;
mod new_agents;
mod oracle;
mod prices;
