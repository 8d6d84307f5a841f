package org.patchvisor.adapter.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DomainDescriptionTest {

    private static String domain(String metadata, String devices) {
        return "<domain type='kvm'><name>g</name><metadata>" + metadata + "</metadata><devices>" + devices
                + "</devices></domain>";
    }

    private static final String AGENT = "<channel type='unix'><source mode='bind' path='/run/x.sock'/>"
            + "<target type='virtio' name='org.qemu.guest_agent.0' state='connected'/></channel>";

    @Test
    void readsThePolicyWhateverThePrefix() throws IOException {
        DomainDescription d = DomainDescription.parse(domain(
                "<other:x xmlns:other='urn:other' group='no'/>"
                        + "<p:policy xmlns:p='https://patchvisor.org/xmlns/1' opt-out='true' group=' canary '/>",
                AGENT));
        assertEquals(Map.of("opt-out", "true", "group", "canary"), d.policy());
        assertTrue(d.hasAgentChannel());
    }

    @Test
    void policyInAnotherNamespaceOrWithoutOneDoesNotCount() throws IOException {
        DomainDescription d = DomainDescription.parse(domain(
                "<policy opt-out='true'/><p:policy xmlns:p='https://patchvisor.org/xmlns/2' group='x'/>", ""));
        assertEquals(Map.of(), d.policy());
    }

    @Test
    void otherChannelsAreNotAnAgent() throws IOException {
        assertFalse(DomainDescription.parse(domain("", "<channel type='spicevmc'><target type='virtio' "
                + "name='com.redhat.spice.0'/></channel><channel type='unix'><target type='guestfwd' "
                + "address='10.0.2.1' port='4600'/></channel>")).hasAgentChannel());
        assertFalse(DomainDescription.parse("<domain type='kvm'><name>g</name></domain>").hasAgentChannel());
    }

    @Test
    void rejectsMalformedXmlAndDoctypes() {
        assertThrows(IOException.class, () -> DomainDescription.parse("<domain><name>g</domain>"));
        assertThrows(IOException.class, () -> DomainDescription.parse("<network><name>n</name></network>"));
        assertThrows(IOException.class, () -> DomainDescription.parse(
                "<!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain>&x;</domain>"));
    }
}
