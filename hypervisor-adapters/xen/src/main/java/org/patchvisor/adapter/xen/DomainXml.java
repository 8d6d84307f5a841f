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
 * The two ways into a Xen guest that its libvirt domain XML can name. First, the host-side socket of its
 * QEMU-guest-agent channel:
 * {@code <channel type='unix'><source mode='bind' path='...'/><target ... name='org.qemu.guest_agent.0'/></channel>}
 * (libvirt formatdomain "Channel"). Else, an SSH endpoint the administrator put in the domain's metadata
 * (formatdomain "General metadata", an element in our own namespace):
 * {@code <metadata><pv:ssh xmlns:pv="https://patchvisor.org/xmlns/guest/1" host="192.0.2.10" port="22" user="root"/>}.
 * External entities and DOCTYPEs are refused: the XML comes from the hypervisor, not from us.
 */
final class DomainXml {
    static final String AGENT_CHANNEL = "org.qemu.guest_agent.0";
    static final String PATCHVISOR_NS = "https://patchvisor.org/xmlns/guest/1";

    private DomainXml() {
    }

    /** Where the guest's sshd listens and as whom to log in. */
    record SshEndpoint(String host, int port, String user) {
    }

    static Optional<SshEndpoint> sshEndpoint(String domainXml) throws IOException {
        NodeList ssh = parse(domainXml).getElementsByTagNameNS(PATCHVISOR_NS, "ssh");
        if (ssh.getLength() == 0) {
            return Optional.empty();
        }
        Element e = (Element) ssh.item(0);
        String host = e.getAttribute("host");
        if (host.isBlank()) {
            throw new IOException("patchvisor ssh metadata without a host attribute");
        }
        String user = e.getAttribute("user").isBlank() ? "root" : e.getAttribute("user");
        int port;
        try {
            port = e.getAttribute("port").isBlank() ? 22 : Integer.parseInt(e.getAttribute("port"));
        } catch (NumberFormatException bad) {
            throw new IOException("patchvisor ssh metadata has port \"" + e.getAttribute("port") + "\", not a number");
        }
        if (port < 1 || port > 65535) {
            throw new IOException("patchvisor ssh metadata has port " + port + ", outside 1-65535");
        }
        return Optional.of(new SshEndpoint(host, port, user));
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
            factory.setNamespaceAware(true);
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
