package dev.servicelab.sandbox;

import dev.servicelab.provisioner.SandboxException;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** The sandbox feature maps its own refusals to problem details: web's handler knows none of them. */
class SandboxProblemsTest {

    @RestController
    static class Refusing {
        @GetMapping("/refuse/{reason}")
        void refuse(@PathVariable SandboxException.Reason reason) {
            throw new SandboxException(reason, "because " + reason);
        }

        @GetMapping("/disabled")
        void disabled() {
            throw new SandboxService.SandboxesDisabledException();
        }
    }

    final MockMvc mvc = MockMvcBuilders.standaloneSetup(new Refusing()).setControllerAdvice(new SandboxProblems()).build();

    @Test
    void noRoomIsA503ToRetryLater() throws Exception {
        mvc.perform(get("/refuse/CAPACITY")).andExpect(status().isServiceUnavailable())
                .andExpect(header().string("Retry-After", "60"))
                .andExpect(jsonPath("$.type").value("/problems/sandbox-capacity"))
                .andExpect(jsonPath("$.detail").value("because CAPACITY"));
    }

    @Test
    void noReadySandboxIsAConflict() throws Exception {
        mvc.perform(get("/refuse/NOT_FOUND")).andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("/problems/sandbox-not-ready"));
    }

    @Test
    void aDeadSandboxIsABadGateway() throws Exception {
        mvc.perform(get("/refuse/DEAD")).andExpect(status().isBadGateway())
                .andExpect(jsonPath("$.type").value("/problems/sandbox-failed"));
    }

    @Test
    void sandboxesOffIsA503ThatSaysWhoToAsk() throws Exception {
        mvc.perform(get("/disabled")).andExpect(status().isServiceUnavailable())
                .andExpect(jsonPath("$.type").value("/problems/sandboxes-disabled"))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("Ask its operator")));
    }
}
