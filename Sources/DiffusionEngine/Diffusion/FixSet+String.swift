/// The compact string form of a `FixSet`, for CLI flags (`--fixes`, `--b`) and log lines:
///
///     fwd=precomputed,t0=mean,input=xt,extract=5,clip=on,var=posterior,loss=l1
///
/// Parsing reads comma-separated items left to right, starting from `FixSet.fixed` (or a given
/// base): `key=value` sets one switch; a bare preset name (`fixed`, `course`) replaces the whole
/// set, so `course,t0=mean` is the course code with FIX 3 applied. Keys and values are
/// case-insensitive; spaces around items are ignored; an empty string is the base unchanged.
extension FixSet: CustomStringConvertible {
    /// The full compact form, every switch spelled out in `FixSwitch.allCases` order.
    public var description: String {
        FixSwitch.allCases.map { $0.item(in: self) }.joined(separator: ",")
    }

    /// Only the switches that differ from `FixSet.fixed` ("fixed" when none do), for short labels.
    public var shortDescription: String {
        let d = differences(from: .fixed)
        if d.isEmpty { return "fixed" }
        return d.map { $0.item(in: self) }.joined(separator: ",")
    }

    /// Parses the compact form.
    /// - Parameters:
    ///   - text: e.g. `"fwd=sqrt-of-sqrt,loss=l2"` or `"course,t0=mean"`.
    ///   - base: the set that items modify (default: all fixed).
    /// - Throws: `EngineError` naming the bad item and listing the valid keys or values.
    public init(parsing text: String, base: FixSet = .fixed) throws {
        var f = base
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = raw.trimmingSpaces().lowercased()
            if item.isEmpty {
                if text.trimmingSpaces().isEmpty { continue }
                throw EngineError("fix switches \"\(text)\": empty item; separate key=value items with single commas")
            }
            guard let eq = item.firstIndex(of: "=") else {
                guard let preset = FixSet.presets[item] else {
                    throw EngineError(
                        "fix switches: \"\(item)\" is neither key=value nor a preset; presets: "
                            + FixSet.presets.keys.sorted().joined(separator: ", ")
                            + "; keys: " + FixSwitch.allCases.map(\.key).joined(separator: ", "))
                }
                f = preset
                continue
            }
            let key = item[..<eq].trimmingSpaces()
            let value = item[item.index(after: eq)...].trimmingSpaces()
            guard let sw = FixSwitch(key: key) else {
                throw EngineError(
                    "fix switches: unknown switch \"\(key)\" in \"\(item)\"; valid switches: "
                        + FixSwitch.allCases.map(\.key).joined(separator: ", "))
            }
            guard let index = sw.choiceTokens.firstIndex(of: value) else {
                throw EngineError(
                    "fix switches: bad value \"\(value)\" for \(sw.key) (\(sw.displayName)); valid values: "
                        + sw.choiceTokens.joined(separator: ", "))
            }
            sw.setChoice(index, in: &f)
        }
        self = f
    }
}

fileprivate extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (no Foundation needed).
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
