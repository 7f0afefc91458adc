package dev.servicelab.catalog;

import java.util.List;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;
import org.springframework.stereotype.Component;

/**
 * Renders lab Markdown to HTML. Raw HTML in lab files is escaped: lab text is data that anyone
 * with access to the catalog folder can edit, so it must not be able to inject script.
 */
@Component
public class MarkdownRenderer {

    private final Parser parser;
    private final HtmlRenderer renderer;

    public MarkdownRenderer() {
        var extensions = List.of(TablesExtension.create());
        this.parser = Parser.builder().extensions(extensions).build();
        this.renderer = HtmlRenderer.builder().extensions(extensions).escapeHtml(true).sanitizeUrls(true).build();
    }

    public String html(String markdown) {
        return markdown == null ? "" : renderer.render(parser.parse(markdown));
    }
}
