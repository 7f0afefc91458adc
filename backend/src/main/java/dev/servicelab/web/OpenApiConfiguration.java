package dev.servicelab.web;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI serviceLabOpenApi() {
        return new OpenAPI()
                .info(new Info().title("ServiceLab API").version("v1").description("""
                        Labs, progress, sandboxes and grading. Errors are RFC 9457 problem details \
                        (application/problem+json) whose `type` is a stable /problems/<slug> URI."""))
                .schemaRequirement("basic", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic"))
                .addSecurityItem(new SecurityRequirement().addList("basic"));
    }
}
