import Foundation

/// A theme color as written in a theme file: the terminal's default, an xterm 256-color index, or
/// an exact RGB value (drawn as its nearest 256-color index, since curses cannot set RGB portably).
public enum Color: Sendable, Hashable {
    case `default`
    case indexed(UInt8)
    case rgb(UInt8, UInt8, UInt8)

    /// The xterm 256-color index to use; nil for the terminal's default color.
    public var nearestIndexed256: UInt8? {
        switch self {
        case .default: return nil
        case .indexed(let index): return index
        case .rgb(let r, let g, let b): return Self.nearestIndex(r: Int(r), g: Int(g), b: Int(b))
        }
    }

    /// The closest of the eight basic colors, for themes that give no `fallback`.
    public var nearestBasic: BasicColor {
        switch self {
        case .default: return .default
        case .indexed(let index) where index < 16: return BasicColor(number: Int(index))
        case .indexed(let index):
            let (r, g, b) = Self.rgbOf(index: Int(index))
            return Self.basic(r: r, g: g, b: b)
        case .rgb(let r, let g, let b): return Self.basic(r: Int(r), g: Int(g), b: Int(b))
        }
    }

    /// Parses a theme file's color value: `default`, `0`–`255`, `#rrggbb`, or one of the eight
    /// color names (the same as the 256-color indexes 0–7).
    public init?(themeValue value: String) {
        let text = value.trimmingCharacters(in: .whitespaces).lowercased()
        if text == "default" {
            self = .default
        } else if let number = Int(text), (0...255).contains(number), text.allSatisfy(\.isASCII) {
            self = .indexed(UInt8(number))
        } else if text.hasPrefix("#") {
            let hex = text.dropFirst()
            guard hex.count == 6, let value = UInt32(hex, radix: 16) else { return nil }
            self = .rgb(UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF))
        } else if let named = BasicColor(rawValue: text), named != .default {
            self = .indexed(UInt8(named.cursesNumber))
        } else {
            return nil
        }
    }

    // MARK: xterm palette

    private static let cubeLevels = [0, 95, 135, 175, 215, 255]
    private static let basic16: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    static func rgbOf(index: Int) -> (Int, Int, Int) {
        if index < 16 { return basic16[index] }
        if index < 232 {
            let i = index - 16
            return (cubeLevels[i / 36], cubeLevels[i / 6 % 6], cubeLevels[i % 6])
        }
        let gray = 8 + (index - 232) * 10
        return (gray, gray, gray)
    }

    /// The nearest color of the 6×6×6 cube or the gray ramp (the first 16 vary per terminal).
    static func nearestIndex(r: Int, g: Int, b: Int) -> UInt8 {
        func level(_ v: Int) -> Int {
            var best = 0
            for (i, l) in cubeLevels.enumerated() where abs(l - v) < abs(cubeLevels[best] - v) { best = i }
            return best
        }
        let (ri, gi, bi) = (level(r), level(g), level(b))
        let cube = (cubeLevels[ri], cubeLevels[gi], cubeLevels[bi])
        let cubeIndex = 16 + 36 * ri + 6 * gi + bi
        let average = (r + g + b) / 3
        let grayStep = max(0, min(23, (average - 8 + 5) / 10))
        let gray = 8 + grayStep * 10
        func distance(_ c: (Int, Int, Int)) -> Int {
            (c.0 - r) * (c.0 - r) + (c.1 - g) * (c.1 - g) + (c.2 - b) * (c.2 - b)
        }
        return distance((gray, gray, gray)) < distance(cube) ? UInt8(232 + grayStep) : UInt8(cubeIndex)
    }

    static func basic(r: Int, g: Int, b: Int) -> BasicColor {
        let high = max(r, g, b), low = min(r, g, b)
        if high - low < 48 { return high < 96 ? .black : .white }
        let threshold = max(64, high * 6 / 10)
        return BasicColor(number: (r >= threshold ? 1 : 0) | (g >= threshold ? 2 : 0) | (b >= threshold ? 4 : 0))
    }
}
