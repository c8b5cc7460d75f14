/// One switch of a `FixSet`, described once: everything the string form, the JSON form, the UI
/// and the CLI need to show, set, store and explain it (the table is `FixSwitch.allCases`).
///
/// A switch is a `FixSet` field (a `WritableKeyPath`) plus its choices, each with a token for the
/// compact string form (`fwd=precomputed,t0=mean,...`) and a name for the screen; the first choice
/// is the fixed/default one. It also names the checklist item it comes from, one sentence for the
/// Help screen, and where in the pipeline it acts (`stages`), from which the Compare screen and
/// the `compare` command tell whether an A/B of two sampling chains can show it at all.
///
/// Adding a switch: the `FixSet` field, one entry in `FixSwitch+Table.swift`, and the code that acts on it.
public struct FixSwitch: Sendable, Hashable, CustomStringConvertible {
    /// A place in the pipeline where a switch can change the numbers.
    public enum Stage: String, Sendable, Hashable, CaseIterable {
        /// `pLosses`: what the model is trained on.
        case training
        /// `qSample`, the forward process q(x_t | x_0) (training samples its x_t from it too).
        case forwardProcess
        /// DDPM's ancestral reverse step (`pSample`).
        case ddpmStep
        /// DDIM's reverse step (`ddimStep`).
        case ddimStep
    }

    /// The `FixSet` field's name, which is also its key in checkpoint JSON (never change it:
    /// old checkpoints must load and new ones must load in old code).
    public let field: String
    /// The key in the compact string form.
    public let key: String
    /// The name shown on screen.
    public let displayName: String
    /// The choices' tokens in the compact string form, first = fixed/default.
    public let choiceTokens: [String]
    /// The choices' names on screen, in `choiceTokens` order.
    public let choiceNames: [String]
    /// The item of the course's fixes checklist, or "—" for switches it does not list.
    public let checklistItem: String
    /// One sentence for the Help screen.
    public let explanation: String
    /// Where the switch acts; an A/B of sampling chains can only show it if this holds its sampler's step.
    public let stages: Set<Stage>

    // The field, type-erased: read and write a choice by index, and its JSON value (`FixSet`'s
    // Codable: decode sets the field only when the key is there, so missing keys keep the default).
    private let read: @Sendable (FixSet) -> Int
    private let write: @Sendable (inout FixSet, Int) -> Void
    let decode: @Sendable (KeyedDecodingContainer<JSONKey>, inout FixSet) throws -> Void
    let encode: @Sendable (FixSet, inout KeyedEncodingContainer<JSONKey>) throws -> Void

    /// A switch over a `FixSet` field whose choices are listed with their token and screen name
    /// (`Bool` fields list `true` and `false`). The JSON form is the field's own `Codable` value.
    /// The choices must be distinct and, for an enum, list every case: a case added to the enum
    /// but not to the table stops the program when the table is first read, not in a checkpoint.
    public init<Choice: Codable & Equatable & Sendable>(
        _ path: WritableKeyPath<FixSet, Choice>, field: String, key: String, displayName: String,
        choices: [(value: Choice, token: String, name: String)], checklistItem: String = "—",
        stages: Set<Stage>, explanation: String
    ) {
        let values = choices.map(\.value)
        precondition(!values.isEmpty && values.indices.allSatisfy { values.firstIndex(of: values[$0]) == $0 },
                     "FixSwitch \(key): the choices must be distinct, and at least one")
        if let enumType = Choice.self as? any CaseIterable.Type {
            precondition(values.count == Self.caseCount(enumType),
                         "FixSwitch \(key): the choices must list each of \(Choice.self)'s cases")
        }
        self.field = field
        self.key = key
        self.displayName = displayName
        self.choiceTokens = choices.map(\.token)
        self.choiceNames = choices.map(\.name)
        self.checklistItem = checklistItem
        self.explanation = explanation
        self.stages = stages
        let jsonKey = JSONKey(field)
        read = { fixes in
            guard let i = values.firstIndex(of: fixes[keyPath: path]) else {
                preconditionFailure("FixSwitch \(key): \(fixes[keyPath: path]) is not one of its choices")
            }
            return i
        }
        write = { fixes, index in fixes[keyPath: path] = values[index] }
        decode = { container, fixes in
            if let v = try container.decodeIfPresent(Choice.self, forKey: jsonKey) { fixes[keyPath: path] = v }
        }
        encode = { fixes, container in try container.encode(fixes[keyPath: path], forKey: jsonKey) }
    }

    private static func caseCount<T: CaseIterable>(_: T.Type) -> Int { T.allCases.count }

    // MARK: Choices

    /// The index (into `choiceTokens`) of this switch's choice in `fixes`.
    public func choiceIndex(in fixes: FixSet) -> Int { read(fixes) }

    /// Sets this switch in `fixes` to choice `index` (0..<choiceTokens.count).
    public func setChoice(_ index: Int, in fixes: inout FixSet) {
        precondition(index >= 0 && index < choiceTokens.count, "FixSwitch \(key): choice \(index) outside 0..<\(choiceTokens.count)")
        write(&fixes, index)
    }

    /// `fixes` with this switch moved to its next choice (wrapping), for a key press in the UI.
    public func cycled(_ fixes: FixSet) -> FixSet {
        var f = fixes
        setChoice((choiceIndex(in: fixes) + 1) % choiceTokens.count, in: &f)
        return f
    }

    /// This switch's `key=token` in the compact string form.
    public func item(in fixes: FixSet) -> String { "\(key)=\(choiceTokens[choiceIndex(in: fixes)])" }

    /// The switch with this compact-form key, if any.
    public init?(key: String) {
        guard let s = FixSwitch.allCases.first(where: { $0.key == key }) else { return nil }
        self = s
    }

    // MARK: Where it acts

    /// What an A/B of two reverse chains with `sampler` can show of this switch.
    public enum Reach: Sendable, Equatable {
        /// It acts in the sampler's step: the chains can part.
        case reverseStep
        /// It acts on q_sample only (and training): compare the forward process instead.
        case forwardProcess
        /// It acts in training only: it changes what a model learns, not a chain.
        case trainingOnly
        /// It acts in the other sampler's step only: this sampler ignores it.
        case otherSampler
    }

    /// What an A/B of two reverse chains run with `sampler` can show of this switch.
    public func reach(_ sampler: Sampler) -> Reach {
        if stages.contains(Self.step(of: sampler)) { return .reverseStep }
        if stages.contains(.forwardProcess) { return .forwardProcess }
        if stages == [.training] { return .trainingOnly }
        return .otherSampler
    }

    /// True when the switch acts in training and nowhere else.
    public var isTrainingOnly: Bool { stages == [.training] }

    /// The stage of a sampler's reverse step.
    public static func step(of sampler: Sampler) -> Stage {
        switch sampler {
        case .ddpm: return .ddpmStep
        case .ddim: return .ddimStep
        }
    }

    // MARK: Identity and JSON

    /// Switches are the table's entries: one per field.
    public static func == (l: FixSwitch, r: FixSwitch) -> Bool { l.field == r.field }
    public func hash(into h: inout Hasher) { h.combine(field) }
    public var description: String { field }

    /// The JSON keys of a `FixSet`: the switches' field names.
    struct JSONKey: CodingKey {
        let stringValue: String
        init(_ s: String) { stringValue = s }
        init?(stringValue s: String) { stringValue = s }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }
}
