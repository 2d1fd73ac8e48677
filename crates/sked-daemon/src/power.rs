//! Whether the machine runs on batteries, from the kernel's power supply class
//! (`/sys/class/power_supply/<name>/{type,online,status}`).
//!
//! The machine is on AC power when any `Mains` supply is online, or when it has no
//! battery at all (a server, a desktop, a virtual machine). Otherwise it runs on
//! batteries, unless a battery reports that it is charging or full: some laptops expose
//! no `Mains` supply, and a battery charges only from outside power. Anything unreadable
//! counts as AC: an odd sysfs must not keep tasks from running.

use std::path::{Path, PathBuf};

/// The power supply class directory of this machine.
pub const SYSFS_POWER_SUPPLY: &str = "/sys/class/power_supply";

/// Where the machine's power comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Power {
    /// Outside power (or no battery).
    Ac,
    /// Batteries.
    Batteries,
}

/// Reads the power supplies under `root` (`/sys/class/power_supply`, or a test's tree).
pub fn read(root: &Path) -> Power {
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) => {
            tracing::debug!(root = %root.display(), "no power supplies to read: {e}");
            return Power::Ac;
        }
    };
    let attr = |dir: &PathBuf, name: &str| {
        std::fs::read_to_string(dir.join(name)).map(|s| s.trim().to_string()).unwrap_or_default()
    };
    let (mut battery, mut charging) = (false, false);
    for entry in entries.flatten() {
        let dir = entry.path();
        match attr(&dir, "type").as_str() {
            "Mains" if attr(&dir, "online") == "1" => return Power::Ac,
            "Battery" => {
                battery = true;
                charging |= matches!(attr(&dir, "status").as_str(), "Charging" | "Full" | "Not charging");
            }
            _ => {}
        }
    }
    if battery && !charging { Power::Batteries } else { Power::Ac }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supply(root: &Path, name: &str, attrs: &[(&str, &str)]) {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for (k, v) in attrs {
            std::fs::write(dir.join(k), format!("{v}\n")).unwrap();
        }
    }

    #[test]
    fn ac_when_mains_is_online_or_there_is_no_battery() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("power_supply");
        assert_eq!(read(&root), Power::Ac, "no power supply class at all");
        std::fs::create_dir_all(&root).unwrap();
        assert_eq!(read(&root), Power::Ac, "no supply: a desktop or a VM");
        supply(&root, "AC", &[("type", "Mains"), ("online", "1")]);
        supply(&root, "BAT0", &[("type", "Battery"), ("status", "Discharging")]);
        assert_eq!(read(&root), Power::Ac, "plugged in");
        supply(&root, "AC", &[("online", "0")]);
        assert_eq!(read(&root), Power::Batteries, "unplugged");
        supply(&root, "BAT0", &[("status", "Full")]);
        assert_eq!(read(&root), Power::Ac, "a full battery is on outside power");
    }

    #[test]
    fn a_battery_without_mains_tells_by_its_status() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        supply(&root, "BAT1", &[("type", "Battery"), ("status", "Discharging")]);
        supply(&root, "hidpp_battery_0", &[("type", "USB")]);
        assert_eq!(read(&root), Power::Batteries);
        supply(&root, "BAT1", &[("status", "Charging")]);
        assert_eq!(read(&root), Power::Ac);
        // Garbage in the attributes is neither mains nor battery.
        supply(&root, "BAT1", &[("type", "\u{0}\u{1}junk")]);
        assert_eq!(read(&root), Power::Ac);
    }
}
