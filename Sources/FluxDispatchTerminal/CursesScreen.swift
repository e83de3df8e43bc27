import CNcursesw
import FluxDispatchDashboard

#if canImport(Glibc)
import Glibc
#endif

/// The thin ncursesw backend: blits a `CellGrid` and reads keys. Everything the dashboard shows is
/// decided by the pure layer; this only maps roles to colour pairs and characters to cells.
///
/// Only cells that differ from the previous blit are handed to ncurses, and ncurses itself sends
/// only what changed on screen, so an unchanged frame writes nothing to the terminal.
public final class CursesScreen {
    public let glyphs: Glyphs
    public let colorSupport: ColorSupport
    private var styles: [(pair: Int16, attributes: UInt32)] = []
    private var lastGrid: CellGrid?

    /// Enters curses mode. UTF-8 line drawing when the locale's character set is UTF-8, ASCII
    /// otherwise (and on terminals such as vt100 under a C locale).
    public init() {
        setlocale(LC_ALL, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        glyphs = codeset.uppercased().replacingOccurrences(of: "-", with: "") == "UTF8" ? .unicode : .ascii
        initscr()
        cbreak()
        noecho()
        nonl()
        intrflush(fd_stdscr(), false)
        keypad(fd_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        timeout(0)
        if has_colors() {
            start_color()
            use_default_colors()
            colorSupport = ColorSupport(colors: Int(fd_colors()))
        } else {
            colorSupport = .none
        }
    }

    /// Leaves curses mode and restores the terminal.
    public func stop() {
        TerminalRestore.restore()
    }

    public var size: (width: Int, height: Int) { (Int(fd_cols()), Int(fd_lines())) }

    /// Sets the colour pairs for `theme` and forces a full redraw.
    public func apply(_ theme: Theme) {
        styles = []
        for role in Role.allCases {
            let style = theme.style(for: role)
            let pair = Int16(role.rawValue + 1)
            var attributes = fd_a_normal()
            if colorSupport != .none, Int(pair) < Int(fd_color_pairs()) {
                let (foreground, background) = style.colorNumbers(for: colorSupport)
                init_pair(pair, foreground, background)
                styles.append((pair, attributes | Self.cursesAttributes(style.attributes)))
            } else {
                attributes |= Self.cursesAttributes(style.attributes)
                styles.append((0, attributes))
            }
        }
        lastGrid = nil
        clearok(fd_stdscr(), true)
    }

    /// Draws `grid`; cells equal to the previous frame's are skipped.
    public func draw(_ grid: CellGrid) {
        let previous = lastGrid.flatMap { $0.width == grid.width && $0.height == grid.height ? $0 : nil }
        if previous == nil { erase() }
        if let previous, previous == grid { return }
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                let cell = grid[x: x, y: y]
                if let previous, previous[x: x, y: y] == cell { continue }
                let style = Int(cell.role.rawValue) < styles.count ? styles[cell.role.rawValue] : (0, fd_a_normal())
                let attributes = style.1 | Self.cursesAttributes(cell.attributes)
                _ = fd_put_wchar(Int32(y), Int32(x), Self.wideCharacter(cell.character), attributes, style.0)
            }
        }
        wnoutrefresh(fd_stdscr())
        doupdate()
        lastGrid = grid
    }

    /// The next key, or nil when none is waiting (non-blocking).
    public func readKey() -> Key? {
        var value: wint_t = 0
        let result = fd_get_wch(&value)
        if result == ERR { return nil }
        if result == KEY_CODE_YES {
            switch Int32(value) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_NPAGE: return .pageDown
            case KEY_PPAGE: return .pageUp
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_ENTER: return .enter
            case KEY_BTAB: return .backTab
            case KEY_BACKSPACE: return .backspace
            case fd_key_resize():
                lastGrid = nil
                return .resize
            default: return Key.none
            }
        }
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        default:
            guard let scalar = Unicode.Scalar(UInt32(value)) else { return Key.none }
            return .character(Character(scalar))
        }
    }

    static func cursesAttributes(_ attributes: CellAttributes) -> UInt32 {
        var result = fd_a_normal()
        if attributes.contains(.bold) { result |= fd_a_bold() }
        if attributes.contains(.underline) { result |= fd_a_underline() }
        if attributes.contains(.reverse) { result |= fd_a_reverse() }
        if attributes.contains(.dim) { result |= fd_a_dim() }
        return result
    }

    /// One column per cell: anything ncurses would draw wider or not at all becomes "?".
    static func wideCharacter(_ character: Character) -> wchar_t {
        guard let scalar = character.unicodeScalars.first else { return wchar_t(32) }
        let value = wchar_t(bitPattern: scalar.value)
        return fd_wcwidth(value) == 1 ? value : wchar_t(63)
    }
}
