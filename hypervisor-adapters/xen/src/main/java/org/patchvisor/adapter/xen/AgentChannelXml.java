package org.patchvisor.adapter.xen;

import java.io.IOException;
import java.io.StringReader;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Finds the host-side socket of a guest's QEMU-guest-agent channel in libvirt domain XML:
 * {@code <channel type='unix'><source mode='bind' path='...'/><target ... name='org.qemu.guest_agent.0'/></channel>}
 * (libvirt formatdomain "Channel"). External entities are off: the XML comes from the hypervisor, not from us.
 */
final class AgentChannelXml {
    static final String AGENT_CHANNEL = "org.qemu.guest_agent.0";

    private AgentChannelXml() {
    }

    static Optional<String> socketPath(String domainXml) throws IOException {
        NodeList channels = parse(domainXml).getElementsByTagName("channel");
        for (int i = 0; i < channels.getLength(); i++) {
            Element channel = (Element) channels.item(i);
            if (!channel.getAttribute("type").equals("unix")) {
                continue;
            }
            Optional<Element> target = child(channel, "target");
            Optional<Element> source = child(channel, "source");
            if (target.isPresent() && target.get().getAttribute("name").equals(AGENT_CHANNEL) && source.isPresent()
                    && !source.get().getAttribute("path").isBlank()) {
                return Optional.of(source.get().getAttribute("path"));
            }
        }
        return Optional.empty();
    }

    private static Optional<Element> child(Element parent, String name) {
        NodeList nodes = parent.getElementsByTagName(name);
        return nodes.getLength() == 0 ? Optional.empty() : Optional.of((Element) nodes.item(0));
    }

    private static Document parse(String xml) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler()); // errors are thrown, not printed
            return builder.parse(new InputSource(new StringReader(xml)));
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("domain XML does not parse: " + e.getMessage(), e);
        }
    }
}
