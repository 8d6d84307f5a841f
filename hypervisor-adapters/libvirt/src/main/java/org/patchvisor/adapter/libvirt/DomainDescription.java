package org.patchvisor.adapter.libvirt;

import java.io.IOException;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * What patchvisor reads from a libvirt domain's XML: the administrator's policy, kept in the domain metadata
 * under patchvisor's own namespace, e.g.
 * {@code <patchvisor:policy xmlns:patchvisor="https://patchvisor.org/xmlns/1" opt-out="true" group="canary"/>},
 * and whether the domain has a QEMU guest agent channel at all. Parsed namespace-aware, so only an element in
 * that namespace counts, whatever prefix it uses; DTDs are refused.
 *
 * @param policy          every attribute of the policy element ("opt-out", "group"); empty when there is none
 * @param hasAgentChannel a {@code <channel>} whose virtio target is {@code org.qemu.guest_agent.0}
 */
public record DomainDescription(Map<String, String> policy, boolean hasAgentChannel) {
    public static final String NAMESPACE = "https://patchvisor.org/xmlns/1";
    static final String AGENT_PORT = "org.qemu.guest_agent.0";

    public DomainDescription {
        policy = Map.copyOf(policy);
    }

    public static DomainDescription parse(String domainXml) throws IOException {
        Document doc = document(domainXml);
        Element domain = doc.getDocumentElement();
        if (!"domain".equals(domain.getLocalName())) {
            throw new IOException("not a libvirt domain description: root element <" + domain.getNodeName() + ">");
        }
        Map<String, String> policy = new LinkedHashMap<>();
        for (Element metadata : children(domain, null, "metadata")) {
            for (Element element : children(metadata, NAMESPACE, "policy")) {
                NamedNodeMap attributes = element.getAttributes();
                for (int i = 0; i < attributes.getLength(); i++) {
                    Node a = attributes.item(i);
                    if (a.getNamespaceURI() == null || NAMESPACE.equals(a.getNamespaceURI())) {
                        policy.put(a.getLocalName(), a.getNodeValue().strip());
                    }
                }
            }
        }
        boolean agent = false;
        for (Element devices : children(domain, null, "devices")) {
            for (Element channel : children(devices, null, "channel")) {
                for (Element target : children(channel, null, "target")) {
                    agent |= "virtio".equals(target.getAttribute("type")) && AGENT_PORT.equals(target.getAttribute("name"));
                }
            }
        }
        return new DomainDescription(policy, agent);
    }

    private static Document document(String xml) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            return builder.parse(new InputSource(new StringReader(xml)));
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK XML parser lacks a standard feature", e);
        } catch (SAXException e) {
            throw new IOException("malformed libvirt domain XML: " + e.getMessage());
        }
    }

    private static java.util.List<Element> children(Element parent, String namespace, String localName) {
        java.util.List<Element> found = new java.util.ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && localName.equals(e.getLocalName())
                    && (namespace == null ? e.getNamespaceURI() == null : namespace.equals(e.getNamespaceURI()))) {
                found.add(e);
            }
        }
        return found;
    }
}
