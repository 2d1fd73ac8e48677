//! Install-time symbols: `(*NAME*)` in any text format, replaced before reading.
