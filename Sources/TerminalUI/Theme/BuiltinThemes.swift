// GENERATED from Themes/*.theme — do not edit by hand. After changing a theme file, regenerate:
//   DDPM_RECORD_THEMES=1 swift test --filter BuiltinThemeFiles
// A test compares every text below with its file, so the two cannot drift apart silently.

/// The built-in theme files, embedded so the binary needs no files at run time.
public enum BuiltinThemes {
    /// (name, file text) for every built-in theme, default first.
    public static let all: [(name: String, text: String)] = [
        ("default", defaultText),
        ("light", lightText),
        ("high-contrast", highContrastText),
    ]

    /// The text of `Themes/default.theme`.
    public static let defaultText = #"""
    # ddpm default theme: dark, in the spirit of btop.
    # Format: theme[key]="#RRGGBB"; '#' starts a comment; unknown keys are ignored and
    # missing keys keep the built-in default (which is this file).

    # Screen background and ordinary text
    theme[main_bg]="#0e1116"
    theme[main_fg]="#c5ccd3"

    # Box titles, highlighted text (keys in the hint bar, values), box borders
    theme[title]="#eef2f6"
    theme[hi_fg]="#ff7a66"
    theme[border]="#394552"
    theme[focus_border]="#5aa9f0"

    # Disabled or secondary text
    theme[inactive_fg]="#5d6875"

    # Selected table row
    theme[selected_bg]="#2a4466"
    theme[selected_fg]="#ffffff"

    # Empty part of gauges and meters
    theme[meter_bg]="#1e252d"

    # Graph gradient (sparklines, heat rows, heat maps): low -> mid -> high
    theme[graph_low]="#2f9e57"
    theme[graph_mid]="#d9a23a"
    theme[graph_high]="#e8504a"

    # Loss curves and status colours
    theme[loss]="#7cc0ff"
    theme[ok]="#4cc46a"
    theme[warn]="#e0b040"
    theme[error]="#f2594f"

    # Two series side by side (A/B comparisons) and the plot cursor
    theme[series_a]="#5aa9f0"
    theme[series_b]="#ff9d5c"
    theme[cursor]="#e6c14a"

    """#

    /// The text of `Themes/light.theme`.
    public static let lightText = #"""
    # ddpm light theme: dark text on a pale background.
    # Format: theme[key]="#RRGGBB"; '#' starts a comment; missing keys take the default theme's value.

    theme[main_bg]="#f7f7f4"
    theme[main_fg]="#2b3036"

    theme[title]="#101418"
    theme[hi_fg]="#c2410c"
    theme[border]="#b8bfc7"
    theme[focus_border]="#1f6fd1"

    theme[inactive_fg]="#8a939c"

    theme[selected_bg]="#cfe0f7"
    theme[selected_fg]="#0b1a2c"

    theme[meter_bg]="#e3e6e9"

    theme[graph_low]="#2e8b57"
    theme[graph_mid]="#c98a00"
    theme[graph_high]="#c8352d"

    theme[loss]="#1f6fd1"
    theme[ok]="#23803f"
    theme[warn]="#a86b00"
    theme[error]="#c8352d"

    theme[series_a]="#1f6fd1"
    theme[series_b]="#d2601a"
    theme[cursor]="#9b5de5"

    """#

    /// The text of `Themes/high-contrast.theme`.
    public static let highContrastText = #"""
    # ddpm high-contrast theme, safe for colour-blind readers.
    # Status and series colours come from the Okabe-Ito palette; the graph ramp follows viridis
    # (dark purple -> teal -> yellow), which stays ordered in lightness for every kind of colour
    # vision and in greyscale.
    # Format: theme[key]="#RRGGBB"; '#' starts a comment; missing keys take the default theme's value.

    theme[main_bg]="#000000"
    theme[main_fg]="#ffffff"

    theme[title]="#ffffff"
    theme[hi_fg]="#f0e442"
    theme[border]="#bbbbbb"
    theme[focus_border]="#56b4e9"

    theme[inactive_fg]="#999999"

    theme[selected_bg]="#0072b2"
    theme[selected_fg]="#ffffff"

    theme[meter_bg]="#333333"

    # viridis at 0, 0.5 and 1
    theme[graph_low]="#440154"
    theme[graph_mid]="#21918c"
    theme[graph_high]="#fde725"

    # Okabe-Ito: sky blue, bluish green, yellow, vermillion, orange, reddish purple
    theme[loss]="#56b4e9"
    theme[ok]="#009e73"
    theme[warn]="#f0e442"
    theme[error]="#d55e00"

    theme[series_a]="#56b4e9"
    theme[series_b]="#e69f00"
    theme[cursor]="#cc79a7"

    """#
}
