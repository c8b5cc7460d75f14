/// A key press, independent of ncurses (the app's key map and the tests use this type). A resize
/// is not a key: backends report it as `InputEvent.resize`.
///
/// Ctrl-C is not a key: with the terminal in cbreak mode it raises SIGINT, which the app handles.
public enum Key: Hashable, Sendable {
    case up, down, left, right
    case pageUp, pageDown, home, end
    case tab, backTab, enter, escape, backspace, delete, insert
    /// F1...F12.
    case function(Int)
    /// Ctrl plus a letter (lower case), other than the keys that have their own case
    /// (Ctrl-I is `.tab`, Ctrl-M/Ctrl-J are `.enter`).
    case control(Character)
    /// A printable character.
    case character(Character)

    /// The key for a character as read from the terminal (control codes mapped to named keys).
    public init(character c: Character) {
        guard let ascii = c.asciiValue else {
            self = .character(c)
            return
        }
        switch ascii {
        case 9: self = .tab
        case 10, 13: self = .enter
        case 27: self = .escape
        case 8, 127: self = .backspace
        case 1...26: self = .control(Character(Unicode.Scalar(ascii + 96)))
        default: self = .character(c)
        }
    }
}
