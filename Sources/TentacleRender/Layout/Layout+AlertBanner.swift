extension Layout {
    /// A full-panel emergency banner, drawn the same by the player and by the server's preview.
    /// The font follows the panel size so the headline fits small panels and reads on large ones.
    public static func alertBanner(
        severity: AlertBannerWidget.Severity, texts: [AlertBannerWidget.Text], secondsPerLanguage: Double, width: Int, height: Int
    ) -> Layout {
        var style = TextStyle()
        // Read from across the street: on boards 128 px and taller the 6x13 text is doubled.
        style.font = height < 48 ? "5x8" : "6x13"
        style.scale = height >= 128 && width >= 256 ? 2 : 1
        style.align = .center
        style.verticalAlign = .middle
        let banner = AlertBannerWidget(
            severity: severity, texts: texts.isEmpty ? [.init(language: "en", headline: "ALERT", text: "")] : texts,
            secondsPerLanguage: max(1, secondsPerLanguage), style: style)
        return Layout(
            width: width, height: height,
            regions: [Region(id: "alert", x: 0, y: 0, width: width, height: height, playlist: [PlaylistItem(duration: 3600, widget: .alertBanner(banner))])])
    }
}
