package dev.servicelab.security;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

/** Caps what a browser may send in one live-socket message (the container's default is unbounded by us). */
@Configuration(proxyBeanMethods = false)
class SocketLimitsConfiguration {

    @Bean
    ServletServerContainerFactoryBean webSocketContainer(LimitsProperties limits) {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        int max = (int) limits.maxSocketMessage().toBytes();
        container.setMaxTextMessageBufferSize(max);
        container.setMaxBinaryMessageBufferSize(max);
        return container;
    }
}
