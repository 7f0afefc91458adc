package dev.servicelab;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class ServiceLabApplication {

    public static void main(String[] args) {
        SpringApplication.run(ServiceLabApplication.class, args);
    }
}
