//! Text rendering helpers shared by the reports: progress bars, display widths, durations.
//! Tables are [`crate::ui::Table`].

/// `██████░░░░` for a percentage, `width` cells wide.
pub fn bar(pct: u32, width: usize) -> String {
    let filled = (pct as usize * width).div_ceil(100).min(width);
    let filled = if pct < 100 && filled == width { width - 1 } else { filled };
    "█".repeat(filled) + &"░".repeat(width - filled)
}

/// Display width of a string, counting wide (CJK, Thai combining) characters sensibly.
pub fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            if (0x0E31..=0x0E3A).contains(&u)
                || (0x0E47..=0x0E4E).contains(&u)
                || (0x0300..=0x036F).contains(&u)
                || u == 0x200B
                || u == 0xFE0F
            {
                0
            } else if (0x1100..=0x115F).contains(&u)
                || (0x2E80..=0xA4CF).contains(&u)
                || (0xAC00..=0xD7A3).contains(&u)
                || (0xF900..=0xFAFF).contains(&u)
                || (0xFF00..=0xFF60).contains(&u)
                || (0x1F300..=0x1FAFF).contains(&u)
                || (0x2705 == u || 0x274C == u || 0x23F3 == u)
            {
                2
            } else {
                1
            }
        })
        .sum()
}

/// Cuts `s` to `max` display cells, with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = width(c.encode_utf8(&mut [0; 4]));
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// `2.5 hours`, `45 min`.
pub fn minutes(m: u64) -> String {
    if m < 60 {
        format!("{m} min")
    } else {
        let h = m as f64 / 60.0;
        let s = format!("{h:.1}");
        let s = s.strip_suffix(".0").unwrap_or(&s);
        format!("{s} hour{}", if s == "1" { "" } else { "s" })
    }
}
