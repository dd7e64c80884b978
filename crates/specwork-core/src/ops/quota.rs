//! Recording the subscription quota an agent reports (`specwork statusline`): a sample is added
//! to `.specwork/quota.json` when a quota changed since the last one (the status line refreshes
//! often; unchanged figures write nothing). The file is replaced atomically, under the write
//! lock, and keeps the last [`quota::MAX_SAMPLES`] samples.

use std::path::Path;

use crate::base::write::{self, WriteError};
use crate::stores::quota::{self, Limit, QuotaLog, Sample};

/// Adds a sample of the quotas seen at `at` (Unix seconds). Returns whether it was written.
pub fn record(root: &Path, at: i64, five_hour: Option<Limit>, seven_day: Option<Limit>) -> Result<bool, WriteError> {
    if five_hour.is_none() && seven_day.is_none() {
        return Ok(false);
    }
    crate::base::path_policy::register_root(root);
    let path = quota::path(root);
    if crate::base::path_policy::read(&path).is_err() {
        let log = QuotaLog { v: 1, samples: vec![Sample { at, five_hour, seven_day }] };
        let text = serde_json::to_string(&log).map_err(|e| WriteError::Io(std::io::Error::other(e)))?;
        match write::create(&path, text.as_bytes()) {
            Ok(()) => return Ok(true),
            Err(WriteError::Exists { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let mut wrote = false;
    write::update(&path, |text| {
        let mut log: QuotaLog = serde_json::from_str(text).unwrap_or_default();
        let same = log.samples.last().is_some_and(|l| l.five_hour == five_hour && l.seven_day == seven_day);
        wrote = !same;
        if same {
            return Ok::<String, WriteError>(text.to_owned());
        }
        log.v = 1;
        log.samples.push(Sample { at, five_hour, seven_day });
        let extra = log.samples.len().saturating_sub(quota::MAX_SAMPLES);
        log.samples.drain(..extra);
        serde_json::to_string(&log).map_err(|e| WriteError::Io(std::io::Error::other(e)))
    })?;
    Ok(wrote)
}
