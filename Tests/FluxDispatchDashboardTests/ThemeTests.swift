import FluxDispatchDashboard
import Foundation
import XCTest

final class ThemeTests: XCTestCase {
    func testEmbeddedThemesEqualTheFilesInThemes() throws {
        let directory = repositoryRoot().appendingPathComponent("themes")
        for (file, yaml) in BuiltInThemes.texts {
            let onDisk = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            XCTAssertEqual(onDisk, yaml, "themes/\(file) and BuiltInThemes differ: copy the file into BuiltInThemes.swift")
        }
        XCTAssertEqual(BuiltInThemes.all.map(\.name), ["default", "high-contrast", "solarized-dark", "monochrome"])
    }

    func testBuiltInsDefineEveryRoleAndLoadFromFiles() {
        for (file, yaml) in BuiltInThemes.texts {
            // base: nil makes a missing role an error.
            guard case .success = ThemeLoader.parse(yaml: yaml, file: file, base: nil) else { return XCTFail(file) }
            let path = repositoryRoot().appendingPathComponent("themes").appendingPathComponent(file).path
            guard case .success(let theme) = ThemeLoader.load(path: path) else { return XCTFail(path) }
            XCTAssertEqual(theme.name + ".yaml", file)
        }
        XCTAssertFalse(BuiltInThemes.monochrome.usesColor)
        XCTAssertTrue(BuiltInThemes.default.usesColor)
    }

    func testParsesColorsFallbacksAndAttributes() throws {
        let yaml = """
            name: custom
            roles:
              header: { fg: "#ffffff", bg: 24, fallback: { fg: white, bg: blue }, bold: true }
              fail:   { fg: 196, underline: true, reverse: true, dim: false }
              ok:     { fg: green }
            """
        let theme = try ThemeLoader.parse(yaml: yaml, file: "custom.yaml").get()
        XCTAssertEqual(theme.name, "custom")
        XCTAssertEqual(theme[.header], RoleStyle(foreground: .rgb(255, 255, 255), background: .indexed(24), fallbackForeground: .white, fallbackBackground: .blue, attributes: .bold))
        XCTAssertEqual(theme[.fail].attributes, [.underline, .reverse])
        XCTAssertEqual(theme[.fail].fallbackForeground, .red, "no fallback: the nearest basic color")
        XCTAssertEqual(theme[.ok].foreground, .indexed(2))
        XCTAssertEqual(theme[.selection], BuiltInThemes.default[.selection], "missing roles come from the default theme")
    }

    func testErrorsNameTheFileAndTheProblem() {
        func error(_ yaml: String) -> String {
            guard case .failure(let error) = ThemeLoader.parse(yaml: yaml, file: "themes/broken.yaml") else { return "parsed" }
            return error.description
        }
        XCTAssertEqual(error("roles:\n  fail: { fg: \"#12\" }"), ##"themes/broken.yaml: role "fail": color "#12" is not #rrggbb or 0-255"##)
        XCTAssertEqual(error("roles:\n  fail: { fg: 256 }"), #"themes/broken.yaml: role "fail": color "256" is not #rrggbb or 0-255"#)
        XCTAssertTrue(error("roles:\n  failure: { fg: 1 }").hasPrefix(#"themes/broken.yaml: unknown role "failure" (roles: header, normal"#))
        XCTAssertTrue(error("roles:\n  fail: { fg: 1\n").hasPrefix("themes/broken.yaml: YAML syntax error: "))
        XCTAssertEqual(error("roles:\n  fail: { fallback: { fg: orange } }"),
                       #"themes/broken.yaml: role "fail": fallback color "orange" is not one of default black red green yellow blue magenta cyan white"#)
        XCTAssertEqual(error("roles:\n  fail: { bold: maybe }"), #"themes/broken.yaml: role "fail": "bold" must be true or false"#)
        XCTAssertEqual(error("roles:\n  fail: { colour: 1 }"),
                       #"themes/broken.yaml: role "fail": unknown key "colour" (expected fg, bg, fallback, bold, underline, reverse, dim)"#)
        XCTAssertEqual(error(""), "themes/broken.yaml: the file is empty")
        XCTAssertEqual(error("name: x"), #"themes/broken.yaml: no "roles" mapping"#)
        XCTAssertEqual(error("- a\n- b"), #"themes/broken.yaml: expected a mapping with "name" and "roles""#)
        guard case .failure(let missing) = ThemeLoader.load(path: "/nonexistent/themes/nope.yaml") else { return XCTFail() }
        XCTAssertEqual(missing.description, "/nonexistent/themes/nope.yaml: no such file")
    }

    func testNoColorRemovesEveryColorAndKeepsRolesDistinct() {
        for theme in BuiltInThemes.all {
            let effective = theme.effective(noColor: true)
            for role in Role.allCases {
                let style = effective[role]
                XCTAssertEqual(style.foreground, .default, "\(theme.name) \(role)")
                XCTAssertEqual(style.background, .default, "\(theme.name) \(role)")
                XCTAssertEqual(style.fallbackForeground, .default)
                XCTAssertEqual(style.fallbackBackground, .default)
                XCTAssertEqual(style.attributes, BuiltInThemes.monochrome[role].attributes)
                XCTAssertEqual(style.colorNumbers(for: .indexed256).foreground, -1)
            }
            XCTAssertNotEqual(effective[.fail].attributes, effective[.ok].attributes, theme.name)
            XCTAssertNotEqual(effective[.selection].attributes, effective[.normal].attributes, theme.name)
            XCTAssertEqual(theme.effective(noColor: false), theme)
        }
    }

    func testColorValuesAndNearestColors() {
        XCTAssertEqual(Color(themeValue: "default"), .default)
        XCTAssertEqual(Color(themeValue: "0"), .indexed(0))
        XCTAssertEqual(Color(themeValue: "255"), .indexed(255))
        XCTAssertEqual(Color(themeValue: "#FF8000"), .rgb(255, 128, 0))
        XCTAssertNil(Color(themeValue: "#12"))
        XCTAssertNil(Color(themeValue: "-1"))
        XCTAssertNil(Color(themeValue: "orange"))
        XCTAssertEqual(Color.rgb(255, 0, 0).nearestIndexed256, 196)
        XCTAssertEqual(Color.rgb(0, 0, 0).nearestIndexed256, 16)
        XCTAssertEqual(Color.rgb(128, 128, 128).nearestIndexed256, 244)
        XCTAssertEqual(Color.rgb(0x00, 0x2b, 0x36).nearestIndexed256, 234)
        XCTAssertEqual(Color.indexed(42).nearestIndexed256, 42)
        XCTAssertNil(Color.default.nearestIndexed256)
        XCTAssertEqual(Color.indexed(196).nearestBasic, .red)
        XCTAssertEqual(Color.indexed(9).nearestBasic, .red)
        XCTAssertEqual(Color.rgb(0x85, 0x99, 0x00).nearestBasic, .yellow)
        XCTAssertEqual(Color.rgb(250, 250, 250).nearestBasic, .white)
        let style = BuiltInThemes.default[.header]
        XCTAssertEqual(style.colorNumbers(for: .basic8).foreground, BasicColor.white.cursesNumber)
        XCTAssertEqual(style.colorNumbers(for: .basic8).background, BasicColor.blue.cursesNumber)
        XCTAssertEqual(style.colorNumbers(for: .indexed256).background, 24)
        XCTAssertEqual(style.colorNumbers(for: .none).foreground, -1)
        XCTAssertEqual(ColorSupport(colors: 256), .indexed256)
        XCTAssertEqual(ColorSupport(colors: 8), .basic8)
        XCTAssertEqual(ColorSupport(colors: 0), .none)
    }

    func testCatalogResolvesNamesPathsAndCycles() throws {
        var catalog = ThemeCatalog()
        XCTAssertEqual(try catalog.select("solarized-dark").get(), 2)
        XCTAssertEqual(catalog.next(after: 3), 0)
        XCTAssertEqual(catalog.next(after: 0), 1)
        guard case .failure(let unknown) = catalog.select("nope", directory: "/nonexistent") else { return XCTFail() }
        XCTAssertTrue(unknown.description.hasPrefix("nope: no such theme (built-in: default, high-contrast"), unknown.description)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("themes"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let custom = directory.appendingPathComponent("themes/mine.yaml")
        try "name: mine\nroles:\n  fail: { fg: 160 }\n".write(to: custom, atomically: true, encoding: .utf8)
        XCTAssertEqual(try catalog.select(custom.path).get(), 4)
        XCTAssertEqual(catalog.names.last, "mine")
        XCTAssertEqual(try catalog.select(custom.path).get(), 4, "selecting it again does not add it twice")
        XCTAssertEqual(catalog.next(after: 4), 0)
        var byName = ThemeCatalog()
        XCTAssertEqual(try byName.select("mine", directory: directory.path).get(), 4)

        let broken = directory.appendingPathComponent("broken.yaml")
        try "roles:\n  fail: { fg: \"#12\" }\n".write(to: broken, atomically: true, encoding: .utf8)
        guard case .failure(let error) = catalog.select(broken.path) else { return XCTFail() }
        XCTAssertEqual(error.description, "\(broken.path): role \"fail\": color \"#12\" is not #rrggbb or 0-255")
        XCTAssertEqual(catalog.themes.count, 5, "a broken theme is not added")
    }
}
